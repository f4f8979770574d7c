using System.Text.Json.Nodes;
using Runnel.TestSupport;

namespace Runnel.Engine.Tests;

/// <summary>The engine's model answer cache: deterministic models answer repeated inputs without a call, identical
/// inputs in flight are sent once, and the cache can be turned off or on per model.</summary>
public sealed class ModelCacheTests
{
    private static JsonNode Answer(string content)
    {
        var body = LoopbackServer.Fixture("openai", "openai-dotnet_chat_completions_200_hello_world.json")["Entries"]![0]!["ResponseBody"]!.DeepClone();
        body["choices"]![0]!["message"]!["content"] = content;
        return body;
    }

    private static async Task<(List<List<string>> Runs, List<long> Hits, int Requests)> RunTwiceAsync(string modelOptions)
    {
        await using var server = await LoopbackServer.StartAsync(r =>
        {
            var text = r.Body!["messages"]!.AsArray().Last()!["content"]!.GetValue<string>();
            return (200, Answer("echo " + text));
        });
        await using var engine = await ModelTestEngine.CreateAsync(server, modelOptions);
        var runs = new List<List<string>>();
        var hits = new List<long>();
        for (var run = 0; run < 2; run++)
        {
            var result = (QueryResult)await engine.ExecuteAsync("SELECT x, answer FROM (VALUES ('x'), ('y'), ('x'), ('z'), ('x')) AS t (x), LATERAL TABLE(ML_PREDICT('m', x))");
            var rows = new List<string>();
            await foreach (var row in result.ReadAsync()) rows.Add(row.ToString());
            runs.Add(rows);
            hits.Add(result.Counters.ModelCacheHits);
        }
        return (runs, hits, server.Requests.Count);
    }

    private static readonly string[] Expected = ["+I[x, echo x]", "+I[y, echo y]", "+I[x, echo x]", "+I[z, echo z]", "+I[x, echo x]"];

    [Fact]
    public async Task TemperatureZero_SendsEachDistinctInputOnce_AndReplaysFromTheCache()
    {
        var (runs, hits, requests) = await RunTwiceAsync(", 'openai.params.temperature' = '0'");
        Assert.Equal(Expected, runs[0]);
        Assert.Equal(Expected, runs[1]);
        Assert.Equal(3, requests); // x, y, z: the repeated x waited for the first one's request
        Assert.Equal(0, hits[0]);
        Assert.Equal(5, hits[1]);
    }

    [Fact]
    public async Task SampledModels_AreNotCachedByDefault()
    {
        var (runs, hits, requests) = await RunTwiceAsync("");
        Assert.Equal(Expected, runs[1]);
        Assert.Equal(10, requests);
        Assert.Equal([0L, 0L], hits);
    }

    [Fact]
    public async Task RunnelCache_OnAndOff_OverrideTheDefault()
    {
        var on = await RunTwiceAsync(", 'runnel.cache' = 'on'");
        Assert.Equal(3, on.Requests);
        var off = await RunTwiceAsync(", 'openai.params.temperature' = '0', 'runnel.cache' = 'off'");
        Assert.Equal(10, off.Requests);
        Assert.Equal(Expected, off.Runs[1]);
    }

    [Fact]
    public async Task PersistedAnswers_SurviveTheEngine_AndAnswerTheNextRunWithoutCalls()
    {
        await using var server = await FakeModelServer.StartAsync();
        var dir = Directory.CreateTempSubdirectory("runnel-persist-").FullName;
        const string Query = "SELECT x, answer FROM (VALUES ('good'), ('bad!'), ('fine')) AS t (x), LATERAL TABLE(ML_PREDICT('m', x))";
        async Task<(List<string> Rows, long Hits)> RunAsync(bool create)
        {
            await using var engine = ModelTestEngine.Batch(dir);
            if (create)
            {
                await engine.ExecuteAsync($"CREATE CONNECTION c WITH ('type' = 'openai', 'endpoint' = '{server.ChatUrl}', 'api-key' = 'k')");
                await engine.ExecuteAsync("CREATE MODEL m INPUT (text STRING) OUTPUT (answer STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'c', 'openai.params.temperature' = '0', 'runnel.cache.persist' = 'true')");
            }
            var result = (QueryResult)await engine.ExecuteAsync(Query);
            var rows = new List<string>();
            await foreach (var row in result.ReadAsync()) rows.Add(row.ToString());
            return (rows, result.Counters.ModelCacheHits);
        }
        var first = await RunAsync(create: true);
        Assert.Equal(3, server.Requests);
        Assert.Equal(0, first.Hits);
        Assert.True(File.Exists(Path.Combine(dir, "model-cache.db")));
        var second = await RunAsync(create: false);
        Assert.Equal(first.Rows, second.Rows);
        Assert.Equal(3, second.Hits);
        Assert.Equal(3, server.Requests);
    }
}
