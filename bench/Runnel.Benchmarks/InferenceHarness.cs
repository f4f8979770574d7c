using System.Diagnostics;
using Runnel.Engine;
using Runnel.TestSupport;

namespace Runnel.Benchmarks;

/// <summary>
/// Issue 4, benchmarks 1 and 2: ML_PREDICT throughput against a model of fixed latency L. The loopback
/// <see cref="FakeModelServer"/> answers every request after L ms with a chat.completion shaped as the recorded OpenAI
/// answers (shared/fixtures/providers/openai). The job is <c>filesystem json → ML_PREDICT → blackhole</c>
/// in batch mode; each configuration gets enough rows for about <c>seconds</c> of work at its bound C / L. Reported:
/// rows/s, the bound C / L, their ratio, and the peak number of requests the server saw at once. The "Flink default"
/// configuration is the same pipeline with Flink's and Confluent's default of 10 requests in flight, one call per row.
/// </summary>
public static class InferenceHarness
{
    public static async Task<int> RunAsync(int latencyMs, double seconds, bool outageOnly = false)
    {
        await using var server = await FakeModelServer.StartAsync().ConfigureAwait(false);
        server.LatencyMs = latencyMs;
        var url = server.ChatUrl;
        if (outageOnly)
        {
            await OutageAsync(server, url, latencyMs, seconds).ConfigureAwait(false);
            return 0;
        }
        Console.WriteLine($"model latency {latencyMs} ms; about {seconds:F0} s of work a configuration; processors: {Environment.ProcessorCount}");
        Console.WriteLine($"{"configuration",-34} {"rows",8} {"seconds",8} {"rows/s",9} {"C/L",9} {"ratio",6} {"peak in flight",15}");
        var results = new Dictionary<string, double>();
        foreach (var (name, parallelism) in new[] { ("Flink default (10 in flight)", 10), ("Runnel C=16", 16), ("Runnel C=64", 64), ("Runnel C=256", 256) })
        {
            var bound = parallelism * 1000.0 / latencyMs;
            var rows = (int)Math.Max(parallelism * 4, bound * seconds);
            var rate = await RunOnceAsync(server, url, rows, parallelism).ConfigureAwait(false);
            results[name] = rate.Rate;
            Console.WriteLine($"{name,-34} {rows,8:N0} {rate.Seconds,8:F2} {rate.Rate,9:N1} {bound,9:N1} {rate.Rate / bound,6:P1} {rate.Peak,15}");
        }
        var flink = results["Flink default (10 in flight)"];
        foreach (var (name, rate) in results.Where(r => r.Key.StartsWith("Runnel", StringComparison.Ordinal)))
            Console.WriteLine($"{name} / Flink default: {rate / flink:F1}x");
        await ReplayAsync(server, url).ConfigureAwait(false);
        return 0;
    }

    /// <summary>A fresh engine in its own directory with <paramref name="rows"/> generated reviews in a JSON file, a
    /// connection to the loopback model, the model <c>sentiment</c> (plus <paramref name="modelOptions"/>) and a blackhole sink.</summary>
    internal static async Task<(RunnelEngine Engine, string Dir)> SetUpAsync(string url, int rows, string modelOptions = "", string output = "label STRING", string task = "classification", string sink = "'connector' = 'blackhole'")
    {
        var dir = Path.Combine(Path.GetTempPath(), "runnel-bench-inference", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "reviews.json");
        await File.WriteAllLinesAsync(file, Enumerable.Range(0, rows).Select(i => $"{{\"id\": {i}, \"text\": \"review number {i} of the benchmark\"}}")).ConfigureAwait(false);
        var engine = new RunnelEngine(new RunnelEngineOptions
        {
            CatalogPath = Path.Combine(dir, "catalog.db"),
            Configuration = new Dictionary<string, string> { ["execution.runtime-mode"] = "batch" },
        });
        await engine.ExecuteAsync($"CREATE CONNECTION fake WITH ('type' = 'openai', 'endpoint' = '{url}', 'api-key' = 'bench')").ConfigureAwait(false);
        await engine.ExecuteAsync($"CREATE MODEL sentiment INPUT (text STRING) OUTPUT ({output}) WITH ('provider' = 'openai', 'task' = '{task}', 'openai.connection' = 'fake'{modelOptions})").ConfigureAwait(false);
        await engine.ExecuteAsync($"CREATE TABLE reviews (id BIGINT, text STRING) WITH ('connector' = 'filesystem', 'path' = '{file}', 'format' = 'json')").ConfigureAwait(false);
        await engine.ExecuteAsync($"CREATE TABLE rated (id BIGINT, {output}) WITH ({sink.Replace("{dir}", dir, StringComparison.Ordinal)})").ConfigureAwait(false);
        return (engine, dir);
    }

    /// <summary>Starts <c>INSERT INTO rated .. ML_PREDICT</c> with <paramref name="parallelism"/> requests in flight.</summary>
    internal static async Task<RunnelJob> StartAsync(RunnelEngine engine, int parallelism, string column = "label", string config = "") =>
        ((JobResult)await engine.ExecuteAsync(
            $"INSERT INTO rated SELECT id, {column} FROM reviews, LATERAL TABLE(ML_PREDICT('sentiment', text, MAP['max_parallelism', '{parallelism}'{config}]))").ConfigureAwait(false)).Job;

    /// <summary>Benchmark 6: C = 64 against latency L; 3 s into the job the provider answers 503 to everything for
    /// <paramref name="outageSeconds"/> s. Reports rows written of rows read, requests refused during the outage, the
    /// job's warnings and how long it took against the outage-free bound.</summary>
    private static async Task OutageAsync(FakeModelServer server, string url, int latencyMs, double outageSeconds)
    {
        const int parallelism = 64;
        var rows = (int)(parallelism * 1000.0 / latencyMs * (outageSeconds + 10));
        var (engine, dir) = await SetUpAsync(url, rows).ConfigureAwait(false);
        await using var _ = engine.ConfigureAwait(false);
        var watch = Stopwatch.StartNew();
        var job = await StartAsync(engine, parallelism).ConfigureAwait(false);
        await Task.Delay(3000).ConfigureAwait(false);
        server.Outage = true;
        var restore = Task.Delay(TimeSpan.FromSeconds(outageSeconds)).ContinueWith(_ => server.Outage = false, TaskScheduler.Default);
        Console.WriteLine($"outage of {outageSeconds:F0} s starts 3 s into a job of {rows:N0} rows (C = {parallelism}, L = {latencyMs} ms)");
        try
        {
            await job.Completion.ConfigureAwait(false);
            Console.WriteLine($"job {job.Status.ToString().ToLowerInvariant()} in {watch.Elapsed.TotalSeconds:F1} s (bound without outage {rows / (parallelism * 1000.0 / latencyMs):F1} s + outage {outageSeconds:F0} s): " +
                $"{job.Counters.RowsRead:N0} rows read, {job.Counters.RowsWritten:N0} written, {rows - job.Counters.RowsWritten:N0} lost; " +
                $"{server.ServerErrors:N0} requests refused with 503 during the outage; {job.Counters.ModelRetries:N0} rows retried");
        }
        catch (Exception e)
        {
            Console.WriteLine($"job FAILED after {watch.Elapsed.TotalSeconds:F1} s: {e.Message}");
        }
        foreach (var warning in job.Counters.Warnings) Console.WriteLine("warning: " + warning);
        await restore.ConfigureAwait(false);
        Directory.Delete(dir, recursive: true);
    }

    /// <summary>Benchmark 8: a temperature-0 model over 5,000 rows, then the same rows again in the same engine.</summary>
    private static async Task ReplayAsync(FakeModelServer server, string url)
    {
        const int rows = 5_000;
        var (engine, dir) = await SetUpAsync(url, rows, ", 'openai.params.temperature' = '0'").ConfigureAwait(false);
        await using var _ = engine.ConfigureAwait(false);
        foreach (var pass in new[] { "first pass", "replay" })
        {
            var before = server.Requests;
            var watch = Stopwatch.StartNew();
            var job = await StartAsync(engine, 256).ConfigureAwait(false);
            await job.Completion.ConfigureAwait(false);
            var calls = server.Requests - before;
            Console.WriteLine($"cache {pass}: {job.Counters.RowsWritten:N0} rows in {watch.Elapsed.TotalSeconds:F2} s, {job.Counters.ModelCacheHits:N0} cache hits " +
                $"({100.0 * job.Counters.ModelCacheHits / rows:F1} %), {calls:N0} provider calls");
        }
        Directory.Delete(dir, recursive: true);
    }

    private static async Task<(double Rate, double Seconds, int Peak)> RunOnceAsync(FakeModelServer server, string url, int rows, int parallelism)
    {
        var (engine, dir) = await SetUpAsync(url, rows).ConfigureAwait(false);
        await using var _ = engine.ConfigureAwait(false);
        server.ResetCounters();
        var watch = Stopwatch.StartNew();
        var job = await StartAsync(engine, parallelism).ConfigureAwait(false);
        await job.Completion.ConfigureAwait(false);
        watch.Stop();
        if (job.Counters.RowsWritten != rows) throw new InvalidOperationException($"{job.Counters.RowsWritten} rows written of {rows}");
        Directory.Delete(dir, recursive: true);
        return (rows / watch.Elapsed.TotalSeconds, watch.Elapsed.TotalSeconds, server.PeakInFlight);
    }
}
