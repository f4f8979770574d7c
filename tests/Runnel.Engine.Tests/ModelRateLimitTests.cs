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

    [Fact]
    public async Task TokenEstimates_AreCorrectedFromTheAnswersUsage()
    {
        var version = new Runnel.Models.Abstractions.ModelVersionInfo
        {
            ModelName = "m", Version = 1, Task = "text_generation",
            Signature = new Runnel.Models.Abstractions.ModelSignature([new Runnel.Core.Types.Column("text", Runnel.Core.Types.SqlType.String)], [new Runnel.Core.Types.Column("a", Runnel.Core.Types.SqlType.String)]),
            Options = new Dictionary<string, string> { ["provider"] = "openai", ["runnel.tokens-per-minute"] = "60000", ["openai.params.max_tokens"] = "100" },
        };
        await using var limits = Runnel.Engine.Models.ModelRateLimits.For(version)!;
        // 40 characters = 10 tokens, plus max_tokens 100: 110 estimated.
        var estimate = limits.EstimateRequest([[new string('x', 40)]]);
        Assert.Equal(110, estimate);
        // The answers report 30 tokens (short completions): estimates move towards that.
        for (var i = 0; i < 20; i++) limits.Observe(limits.EstimateRequest([[new string('x', 40)]]), 30);
        var corrected = limits.EstimateRequest([[new string('x', 40)]]);
        Assert.InRange(corrected, 30, 35);
        Assert.InRange(limits.Correction, 0.27, 0.32);
    }
}
