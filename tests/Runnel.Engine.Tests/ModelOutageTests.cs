using System.Text.Json.Nodes;
using Runnel.TestSupport;

namespace Runnel.Engine.Tests;

/// <summary>A provider outage opens the model's circuit: rows wait for the provider instead of failing, and the
/// provider is probed rather than hammered.</summary>
public sealed class ModelOutageTests
{
    [Fact]
    public async Task AnOutage_LongerThanTheRetries_LosesNoRow_AndResumesUnaided()
    {
        var answer = LoopbackServer.Fixture("openai", "openai-dotnet_chat_completions_200_hello_world.json")["Entries"]![0]!["ResponseBody"]!;
        // The first 8 requests are answered; from the 9th the provider answers 503 for 2 s, then recovers.
        var outageEnds = DateTimeOffset.MaxValue;
        var duringOutage = 0;
        var seen = 0;
        var gate = new object();
        await using var server = await LoopbackServer.StartAsync(r =>
        {
            lock (gate)
                if (++seen == 9) outageEnds = r.ReceivedAt.AddSeconds(2);
            if (seen > 8 && r.ReceivedAt < outageEnds)
            {
                Interlocked.Increment(ref duringOutage);
                return (503, new JsonObject { ["error"] = new JsonObject { ["message"] = "Service Unavailable" } });
            }
            return (200, answer.DeepClone());
        });
        await using var engine = await ModelTestEngine.CreateAsync(server);
        var values = string.Join(", ", Enumerable.Range(0, 40).Select(i => $"({i})"));
        var result = (QueryResult)await engine.ExecuteAsync(
            $"SELECT id, answer FROM (VALUES {values}) AS t (id), LATERAL TABLE(ML_PREDICT('m', CAST(id AS STRING), MAP['max_parallelism', '8']))");
        var ids = new List<int>();
        await foreach (var row in result.ReadAsync()) ids.Add((int)row.Values[0]!);
        Assert.Equal(Enumerable.Range(0, 40), ids);
        // Without the outage handling each of the 32 remaining rows makes 4 attempts within about 1.4 s, all during
        // the 2 s outage (128 requests), and the statement fails; with it the first failures open the circuit and only
        // probes go out until the provider is back.
        Assert.True(duringOutage < 40, $"{duringOutage} requests during the outage");
        Assert.Contains(result.Counters.Warnings, w => w.Contains("the provider looks down", StringComparison.Ordinal) && w.Contains("Service Unavailable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AProviderThatNeverAnswered_FailsAfterItsRetries()
    {
        var requests = 0;
        await using var server = await LoopbackServer.StartAsync(_ =>
        {
            Interlocked.Increment(ref requests);
            return (503, new JsonObject { ["error"] = new JsonObject { ["message"] = "Service Unavailable" } });
        });
        await using var engine = await ModelTestEngine.CreateAsync(server);
        var result = (QueryResult)await engine.ExecuteAsync("SELECT answer FROM (VALUES ('a')) AS t (x), LATERAL TABLE(ML_PREDICT('m', x, MAP['retry_count', '2']))");
        var e = await Assert.ThrowsAnyAsync<Core.Errors.RunnelException>(async () => { await foreach (var _ in result.ReadAsync()) { } });
        Assert.Contains("503", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, requests);
    }
}
