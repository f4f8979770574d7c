using Runnel.Core.Data;

namespace Runnel.Engine.Tests;

/// <summary>A model trained in one engine predicts the same in another opened on the same catalog (the artifact is
/// stored with the version), and versions follow the rules of CREATE MODEL.</summary>
public sealed class ModelPersistenceTests
{
    private static async Task<List<string>> PredictAsync(RunnelEngine engine)
    {
        var result = (QueryResult)await engine.ExecuteAsync(
            "SELECT t, label FROM (VALUES ('I love it'), ('I hate it'), ('meh')) AS v (t), LATERAL TABLE(ML_PREDICT('m', t)) ORDER BY t");
        var rows = new List<string>();
        await foreach (var row in result.ReadAsync()) rows.Add(row.ToString());
        return rows;
    }

    [Fact]
    public async Task LocalModel_PredictsTheSameAfterARestart()
    {
        var dir = Directory.CreateTempSubdirectory("runnel-model-").FullName;
        var options = new RunnelEngineOptions
        {
            CatalogPath = Path.Combine(dir, "c.db"),
            Configuration = new Dictionary<string, string> { ["execution.runtime-mode"] = "batch" },
        };
        List<string> before;
        await using (var engine = new RunnelEngine(options))
        {
            var created = (MessageResult)await engine.ExecuteAsync("""
                CREATE MODEL m INPUT (text STRING) OUTPUT (label STRING)
                WITH ('provider' = 'local', 'task' = 'classification', 'local.seed' = '3')
                AS SELECT * FROM (VALUES ('I love it', 'pos'), ('love love', 'pos'), ('I hate it', 'neg'), ('hate hate', 'neg')) AS t (s, l)
                """);
            Assert.Equal("`m` with version 1 created. Default version: 1", created.Message);
            before = await PredictAsync(engine);
        }
        await using (var engine = new RunnelEngine(options))
        {
            Assert.Equal(before, await PredictAsync(engine));
            Assert.Contains("+I[I love it, pos]", before);
            Assert.Contains("+I[I hate it, neg]", before);
        }
    }

    [Fact]
    public async Task MlEvaluate_OnUnboundedInput_IsAnUpdatingRow()
    {
        var dir = Directory.CreateTempSubdirectory("runnel-model-").FullName;
        await using var engine = new RunnelEngine(new RunnelEngineOptions { CatalogPath = Path.Combine(dir, "c.db") });
        await engine.ExecuteAsync("""
            CREATE MODEL m INPUT (text STRING) OUTPUT (label STRING)
            WITH ('provider' = 'local', 'task' = 'classification', 'local.seed' = '3')
            AS SELECT * FROM (VALUES ('I love it', 'pos'), ('love love', 'pos'), ('I hate it', 'neg'), ('hate hate', 'neg')) AS t (s, l)
            """);
        await engine.ExecuteAsync("CREATE TABLE labelled (text STRING, label STRING)");
        await ((JobResult)await engine.ExecuteAsync("INSERT INTO labelled VALUES ('I love it', 'pos'), ('I hate it', 'pos')")).Job.Completion;
        var result = (QueryResult)await engine.ExecuteAsync("SELECT ML_EVALUATE(m, label, text) FROM labelled");
        Assert.True(result.IsUpdating);
        Assert.False(result.IsBounded);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<Row>();
        await foreach (var row in result.ReadAsync(cts.Token))
        {
            seen.Add(row);
            if (seen.Count == 1)
                await ((JobResult)await engine.ExecuteAsync("INSERT INTO labelled VALUES ('love love', 'pos')")).Job.Completion;
            if (seen.Count == 3) break;
        }
        MapValue Metrics(Row r) => (MapValue)r.Values[0]!;
        Assert.Equal(RowKind.Insert, seen[0].Kind);
        Assert.True(Metrics(seen[0]).TryGetValue("Accuracy", out var first) && (double)first! == 0.5);
        Assert.Equal(RowKind.UpdateBefore, seen[1].Kind);
        Assert.Equal(RowKind.UpdateAfter, seen[2].Kind);
        Assert.True(Metrics(seen[2]).TryGetValue("Accuracy", out var second) && Math.Abs((double)second! - 2.0 / 3) < 1e-12);
    }
}
