using System.Text.Json.Nodes;
using Runnel.Core.Errors;
using Runnel.TestSupport;

namespace Runnel.Engine.Tests;

/// <summary>Runnel's client-side request budget (runnel.requests-per-minute) holds however many requests may be in flight.</summary>
public sealed class ModelRateLimitTests
{
    private static JsonNode RecordedAnswer() =>
        LoopbackServer.Fixture("openai", "openai-dotnet_chat_completions_200_hello_world.json")["Entries"]![0]!["ResponseBody"]!.DeepClone();

    private static async Task<RunnelEngine> EngineAsync(LoopbackServer server, string limits)
    {
        var dir = Directory.CreateTempSubdirectory("runnel-limits-").FullName;
        var engine = new RunnelEngine(new RunnelEngineOptions
        {
            CatalogPath = Path.Combine(dir, "c.db"),
            Configuration = new Dictionary<string, string> { ["execution.runtime-mode"] = "batch" },
        });
        await engine.ExecuteAsync($"CREATE CONNECTION c WITH ('type' = 'openai', 'endpoint' = '{server.BaseUrl}/v1/chat/completions', 'api-key' = 'k')");
        await engine.ExecuteAsync($"CREATE MODEL m INPUT (text STRING) OUTPUT (answer STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'c'{limits})");
        return engine;
    }

    [Fact]
    public async Task RequestsPerMinute_NeverExceedsTheBudget_WithManyInFlight()
    {
        await using var server = await LoopbackServer.StartAsync(_ => (200, RecordedAnswer()));
        await using var engine = await EngineAsync(server, ", 'runnel.requests-per-minute' = '1200'");
        var values = string.Join(", ", Enumerable.Range(0, 60).Select(i => $"('row {i}')"));
        var result = (QueryResult)await engine.ExecuteAsync($"SELECT answer FROM (VALUES {values}) AS t (x), LATERAL TABLE(ML_PREDICT('m', x, MAP['max_parallelism', '64']))");
        var rows = 0;
        await foreach (var _ in result.ReadAsync()) rows++;
        Assert.Equal(60, rows);
        // 1,200 a minute is 20 permits a second, refilled each second from when the model was first called (just
        // before the first request): request i (from 0) cannot start before floor(i / 20) seconds after it.
        var times = server.Requests.Select(r => r.ReceivedAt).Order().ToArray();
        Assert.Equal(60, times.Length);
        for (var i = 20; i < times.Length; i++)
            Assert.True(times[i] - times[0] >= TimeSpan.FromSeconds(i / 20) - TimeSpan.FromMilliseconds(250),
                $"request {i} started {(times[i] - times[0]).TotalMilliseconds:F0} ms after the first");
    }

    [Fact]
    public async Task ABudgetThatIsNotAPositiveNumber_IsAnError()
    {
        await using var server = await LoopbackServer.StartAsync(_ => (200, RecordedAnswer()));
        await using var engine = await EngineAsync(server, ", 'runnel.requests-per-minute' = '0'");
        var e = await Assert.ThrowsAnyAsync<RunnelException>(async () =>
        {
            var result = (QueryResult)await engine.ExecuteAsync("SELECT answer FROM (VALUES ('a')) AS t (x), LATERAL TABLE(ML_PREDICT('m', x))");
            await foreach (var _ in result.ReadAsync()) { }
        });
        Assert.Contains("runnel.requests-per-minute", e.Message, StringComparison.Ordinal);
    }
}
