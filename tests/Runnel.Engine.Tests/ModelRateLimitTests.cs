using System.Text.Json.Nodes;
using Runnel.Core.Errors;
using Runnel.TestSupport;

namespace Runnel.Engine.Tests;

/// <summary>Runnel's client-side request budget (runnel.requests-per-minute) holds however many requests may be in flight.</summary>
public sealed class ModelRateLimitTests
{
    private static JsonNode RecordedAnswer() =>
        LoopbackServer.Fixture("openai", "openai-dotnet_chat_completions_200_hello_world.json")["Entries"]![0]!["ResponseBody"]!.DeepClone();

    [Fact]
    public async Task RequestsPerMinute_NeverExceedsTheBudget_WithManyInFlight()
    {
        await using var server = await LoopbackServer.StartAsync(_ => (200, RecordedAnswer()));
        await using var engine = await ModelTestEngine.CreateAsync(server, ", 'runnel.requests-per-minute' = '1200'");
        var values = string.Join(", ", Enumerable.Range(0, 60).Select(i => $"('row {i}')"));
        // Warm up (JIT, HTTP stack) on an unlimited model first, so the server's receipt times follow the permits and
        // not first-call costs; then measure only the limited model's requests.
        await ModelTestEngine.AddModelAsync(engine, "warm");
        var warm = (QueryResult)await engine.ExecuteAsync($"SELECT answer FROM (VALUES {values}) AS t (x), LATERAL TABLE(ML_PREDICT('warm', x, MAP['max_parallelism', '64']))");
        await foreach (var _ in warm.ReadAsync()) { }
        server.Requests.Clear();
        var result = (QueryResult)await engine.ExecuteAsync($"SELECT answer FROM (VALUES {values}) AS t (x), LATERAL TABLE(ML_PREDICT('m', x, MAP['max_parallelism', '64']))");
        var rows = 0;
        await foreach (var _ in result.ReadAsync()) rows++;
        Assert.Equal(60, rows);
        // 1,200 a minute is a bucket of 20 permits refilled with 20 every second: any 41 consecutive requests need the
        // bucket's 20 and two refills, so they span at least one refill interval (1 s, less timer jitter).
        var times = server.Requests.Select(r => r.ReceivedAt).Order().ToArray();
        Assert.Equal(60, times.Length);
        for (var i = 0; i + 40 < times.Length; i++)
            Assert.True(times[i + 40] - times[i] >= TimeSpan.FromMilliseconds(900),
                $"requests {i} to {i + 40} started within {(times[i + 40] - times[i]).TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task ABudgetThatIsNotAPositiveNumber_IsAnError()
    {
        await using var server = await LoopbackServer.StartAsync(_ => (200, RecordedAnswer()));
        await using var engine = await ModelTestEngine.CreateAsync(server, ", 'runnel.requests-per-minute' = '0'");
        var e = await Assert.ThrowsAnyAsync<RunnelException>(async () =>
        {
            var result = (QueryResult)await engine.ExecuteAsync("SELECT answer FROM (VALUES ('a')) AS t (x), LATERAL TABLE(ML_PREDICT('m', x))");
            await foreach (var _ in result.ReadAsync()) { }
        });
        Assert.Contains("runnel.requests-per-minute", e.Message, StringComparison.Ordinal);
    }
}
