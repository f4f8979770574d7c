using Runnel.Engine.Models;
using Runnel.Models.Abstractions;
using Runnel.TestSupport;

namespace Runnel.Engine.Tests;

/// <summary>How model calls flow: micro-batches gathered across input batches, unordered output on request, the
/// adaptive concurrency limit and the retry budget under throttling, against <see cref="FakeModelServer"/>.</summary>
public sealed class ModelFlowTests
{
    private static async Task<(RunnelEngine Engine, string Dir)> EngineAsync(FakeModelServer server, string model, int rows = 0)
    {
        var dir = Directory.CreateTempSubdirectory("runnel-flow-").FullName;
        var engine = ModelTestEngine.Batch(dir);
        await engine.ExecuteAsync($"CREATE CONNECTION chat WITH ('type' = 'openai', 'endpoint' = '{server.ChatUrl}', 'api-key' = 'k')");
        await engine.ExecuteAsync($"CREATE CONNECTION emb WITH ('type' = 'openai', 'endpoint' = '{server.EmbeddingsUrl}', 'api-key' = 'k')");
        await engine.ExecuteAsync(model);
        if (rows > 0)
        {
            var file = Path.Combine(dir, "rows.json");
            await File.WriteAllLinesAsync(file, Enumerable.Range(0, rows).Select(i => $"{{\"id\": {i}, \"text\": \"row {i}\"}}"));
            await engine.ExecuteAsync($"CREATE TABLE t (id INT, text STRING) WITH ('connector' = 'filesystem', 'path' = '{file}', 'format' = 'json')");
        }
        return (engine, dir);
    }

    private static Task<List<string>> RowsAsync(RunnelEngine engine, string sql) => ModelTestEngine.RowsAsync(engine, sql);

    [Fact]
    public async Task Embeddings_GoOutInRequestsOfTheBatchSize_AcrossInputBatches()
    {
        await using var server = await FakeModelServer.StartAsync();
        var (engine, _) = await EngineAsync(server, "CREATE MODEL e INPUT (text STRING) OUTPUT (v ARRAY<FLOAT>) WITH ('provider' = 'openai', 'task' = 'embedding', 'openai.connection' = 'emb', 'runnel.max-batch-size' = '1000', 'runnel.batch-linger-ms' = '2000')", rows: 3000);
        await using (engine)
        {
            // The file source reads 1,024-row batches; requests of 1,000 rows are gathered across them.
            var rows = await RowsAsync(engine, "SELECT id, CARDINALITY(v) FROM t, LATERAL TABLE(ML_PREDICT('e', text, MAP['max_parallelism', '4']))");
            Assert.Equal(3000, rows.Count);
            Assert.All(rows, r => Assert.EndsWith(", 8]", r, StringComparison.Ordinal));
            Assert.Equal(3, server.Requests);
        }
    }

    [Fact]
    public async Task AllowUnordered_EmitsAFastBatchBeforeASlowOne_OrderedKeepsInputOrder()
    {
        await using var server = await FakeModelServer.StartAsync();
        server.LatencyOf = text => int.Parse(text.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) < 1024 ? 400 : 0;
        var (engine, _) = await EngineAsync(server, "CREATE MODEL m INPUT (text STRING) OUTPUT (label STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'chat')", rows: 2048);
        await using (engine)
        {
            var unordered = await RowsAsync(engine, "SELECT id FROM t, LATERAL TABLE(ML_PREDICT('m', text, MAP['max_parallelism', '2048', 'output-mode', 'ALLOW_UNORDERED']))");
            Assert.Equal(2048, unordered.Count);
            Assert.Equal("+I[1024]", unordered[0]);
            Assert.Equal(2048, unordered.Distinct().Count());
            var ordered = await RowsAsync(engine, "SELECT id FROM t, LATERAL TABLE(ML_PREDICT('m', text, MAP['max_parallelism', '2048']))");
            Assert.Equal(Enumerable.Range(0, 2048).Select(i => $"+I[{i}]"), ordered);
        }
    }

    [Fact]
    public async Task ABudgetThatThrottles_SlowsTheJobDown_ButNeverFailsIt()
    {
        await using var server = await FakeModelServer.StartAsync();
        server.RequestsPerMinute = 600; // 10 a second, a burst of 600 at first: 700 requests, then 429s with reset hints
        var (engine, _) = await EngineAsync(server, "CREATE MODEL m INPUT (text STRING) OUTPUT (label STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'chat')", rows: 640);
        await using (engine)
        {
            var result = (QueryResult)await engine.ExecuteAsync("SELECT id, label FROM t, LATERAL TABLE(ML_PREDICT('m', text, MAP['max_parallelism', '64', 'retry_count', '1']))");
            var rows = 0;
            await foreach (var _ in result.ReadAsync()) rows++;
            Assert.Equal(640, rows);
            Assert.True(server.Throttled > 0, "the budget should have throttled some requests");
            Assert.Equal(640, server.Answered);
            // With retry_count 1 a row throttled twice would have failed before; throttling does not spend retries.
            Assert.True(result.Counters.ModelRetries >= server.Throttled, $"{result.Counters.ModelRetries} retries for {server.Throttled} 429s");
            Assert.True(engine.ModelRuntimes.For(engine.Models.VersionInfo("m", engine.Models.GetModel("m")!, engine.Models.GetModel("m")!.Find(1)!)).Concurrency.Decreases > 0);
        }
    }

    [Fact]
    public async Task InjectedFaults_ServerErrorsResetsStallsAndCutBodies_AreRetried_EveryRowOnce()
    {
        await using var server = await FakeModelServer.StartAsync(seed: 11);
        server.LatencyMs = 5;
        server.ServerErrorRate = 0.06;
        server.ResetRate = 0.04;
        server.StallRate = 0.03;
        server.MalformedRate = 0.04;
        var (engine, _) = await EngineAsync(server, "CREATE MODEL m INPUT (text STRING) OUTPUT (label STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'chat')", rows: 300);
        await using (engine)
        {
            var result = (QueryResult)await engine.ExecuteAsync("SELECT id, label FROM t, LATERAL TABLE(ML_PREDICT('m', text, MAP['max_parallelism', '32', 'client_timeout', '0.5', 'retry_count', '20']))");
            var ids = new List<string>();
            await foreach (var row in result.ReadAsync()) ids.Add(row.ToString().Split(',')[0]);
            Assert.Equal(300, ids.Count);
            Assert.Equal(300, ids.Distinct().Count());
            var stage = result.Counters.Models.Values.Single();
            Assert.True(server.ServerErrors > 0 && server.Resets > 0 && server.Stalls > 0 && server.Malformed > 0,
                $"faults: {server.ServerErrors} 5xx, {server.Resets} resets, {server.Stalls} stalls, {server.Malformed} cut bodies");
            // Every failed attempt the engine saw was retried (a request answered after its 0.5 s timeout counts as
            // failed and is answered again, so the server may answer a row twice; the sink still has it once).
            Assert.Equal(stage.Errors.Values.Sum(), result.Counters.ModelRetries);
            Assert.True(stage.Errors.GetValueOrDefault(408) >= server.Stalls, "every stall ends in the client's timeout");
            Assert.True(stage.Errors.GetValueOrDefault(200) > 0, "cut bodies reach the engine as retryable errors");
            Assert.True(server.Answered >= 300);
        }
    }

    [Fact]
    public async Task FlinksTimeout_IsTheRowsDeadline_RetriesIncluded()
    {
        await using var server = await FakeModelServer.StartAsync();
        server.RequestsPerMinute = 1;
        server.RetryHints = false;
        var (engine, _) = await EngineAsync(server, "CREATE MODEL m INPUT (text STRING) OUTPUT (label STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'chat', 'error-handling-strategy' = 'ignore')");
        await using (engine)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var result = (QueryResult)await engine.ExecuteAsync("SELECT x, label FROM (VALUES ('a'), ('bb'), ('ccc')) AS t (x), LATERAL TABLE(ML_PREDICT('m', x, MAP['timeout', '1 s', 'retry_count', '100']))");
            var rows = new List<string>();
            await foreach (var row in result.ReadAsync()) rows.Add(row.ToString());
            Assert.Equal(3, rows.Count);
            // One row fits the budget of one request a minute; the other two are throttled until their deadline.
            Assert.Equal(2, result.Counters.ModelErrors);
            Assert.All(result.Counters.ModelErrorSamples, m => Assert.Contains("deadline of 1 s", m, StringComparison.Ordinal));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
        }
    }

    [Fact]
    public async Task AdaptiveConcurrency_HalvesOnThrottling_OncePerSignal_AndRecovers()
    {
        var limit = new AdaptiveConcurrency();
        var slots = new List<long>();
        for (var i = 0; i < 40; i++) slots.Add(await limit.AcquireAsync(CancellationToken.None));
        // Every request of the burst was sent before the first decrease: one signal, one halving (to half of 40).
        foreach (var slot in slots.Take(10)) limit.Release(slot, throttled: true);
        Assert.Equal(20, limit.Limit);
        Assert.Equal(1, limit.Decreases);
        foreach (var slot in slots.Skip(10)) limit.Release(slot, throttled: false);
        Assert.True(limit.Limit > 20);
        // Requests beyond the limit wait until a slot frees.
        var held = new List<long>();
        while (limit.InFlight < limit.Limit) held.Add(await limit.AcquireAsync(CancellationToken.None));
        var waiting = limit.AcquireAsync(CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        limit.Release(held[0], throttled: false);
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void RetryBudget_AllowsABurst_ThenAFifthOfTheAnswers()
    {
        var budget = new RetryBudget();
        var burst = 0;
        while (budget.TryWithdraw()) burst++;
        Assert.Equal((int)RetryBudget.Cap, burst);
        for (var i = 0; i < 10; i++) budget.Deposit();
        Assert.True(budget.TryWithdraw());
        Assert.True(budget.TryWithdraw());
        Assert.False(budget.TryWithdraw());
        // A retry that got through gives its token back (plus the fifth every unthrottled request earns).
        budget.Deposit(refund: true);
        Assert.True(budget.TryWithdraw());
        Assert.False(budget.TryWithdraw());
    }

    [Fact]
    public async Task MicroBatcher_SendsFullBatchesAtOnce_AndAPartialOneAfterTheLinger()
    {
        var sent = new List<int>();
        var batcher = new MicroBatcher(4, TimeSpan.FromMilliseconds(100), (inputs, _) =>
        {
            lock (sent) sent.Add(inputs.Count);
            return Task.FromResult<IReadOnlyList<ModelOutput>>(inputs.Select(i => new ModelOutput([i[0]])).ToList());
        });
        var first = batcher.Submit([[1], [2], [3]], CancellationToken.None);
        var second = batcher.Submit([[4], [5]], CancellationToken.None);
        Assert.Equal(1, (int)(await first[0]).Values![0]!);
        Assert.Equal([4], sent);
        Assert.Equal(5, (int)(await second[1]).Values![0]!);
        Assert.Equal([4, 1], sent);
    }
}
