using System.Text.Json.Nodes;
using Runnel.TestSupport;

namespace Runnel.Engine.Tests;

/// <summary>How ML_PREDICT retries a throttled model: the provider's retry hint is honoured before the next attempt,
/// and non-retryable answers are not sent again.</summary>
public sealed class ModelRetryTests
{
    private static JsonNode Recorded429(int i) =>
        LoopbackServer.Fixture("openai", "issues_openai_429_error_examples.json")["examples"]![i]!["body"]!.DeepClone();

    private static JsonNode RecordedAnswer() =>
        LoopbackServer.Fixture("openai", "openai-dotnet_chat_completions_200_hello_world.json")["Entries"]![0]!["ResponseBody"]!.DeepClone();

    private static async Task<(List<string> Rows, QueryResult Result)> PredictAsync(LoopbackServer server, string config = "", string model = "m")
    {
        await using var engine = await ModelTestEngine.CreateAsync(server, model: model);
        var result = (QueryResult)await engine.ExecuteAsync($"SELECT answer FROM (VALUES ('Hello, world!')) AS t (x), LATERAL TABLE(ML_PREDICT('{model}', x{config}))");
        var rows = new List<string>();
        await foreach (var row in result.ReadAsync()) rows.Add(row.ToString());
        return (rows, result);
    }

    [Fact]
    public async Task RetryAfterMs_PausesTheModelBeforeTheNextAttempt()
    {
        var calls = 0;
        await using var server = await LoopbackServer.StartAsync(_ => Interlocked.Increment(ref calls) == 1
            ? (429, Recorded429(0), new Dictionary<string, string> { ["retry-after-ms"] = "900" })
            : (200, RecordedAnswer(), new Dictionary<string, string>()));
        var (rows, result) = await PredictAsync(server);
        var expected = RecordedAnswer()["choices"]![0]!["message"]!["content"]!.GetValue<string>();
        Assert.Equal([$"+I[{expected}]"], rows);
        var requests = server.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        // Backoff alone waits at most 200 ms before the first retry; the hint asked for 900 ms.
        Assert.True(requests[1].ReceivedAt - requests[0].ReceivedAt >= TimeSpan.FromMilliseconds(880),
            $"retried after {(requests[1].ReceivedAt - requests[0].ReceivedAt).TotalMilliseconds:F0} ms");
        Assert.Equal(1, result.Counters.ModelRetries);
    }

    [Fact]
    public async Task ModelCalls_ArePublishedThroughSystemDiagnosticsMetrics()
    {
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == Models.ModelMetrics.MeterName) l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "runnel.model" && (string?)tag.Value == "metered") seen.AddOrUpdate(instrument.Name, value, (_, v) => v + value);
        });
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "runnel.model" && (string?)tag.Value == "metered") seen.AddOrUpdate(instrument.Name, 1, (_, v) => v + 1);
        });
        listener.Start();
        var calls = 0;
        await using var server = await LoopbackServer.StartAsync(_ => Interlocked.Increment(ref calls) == 1
            ? (503, new JsonObject { ["error"] = new JsonObject { ["message"] = "The server is overloaded" } }, new Dictionary<string, string>())
            : (200, RecordedAnswer(), new Dictionary<string, string>()));
        await PredictAsync(server, model: "metered");
        Assert.Equal(1, seen.GetValueOrDefault("runnel.model.rows"));
        Assert.Equal(2, seen.GetValueOrDefault("runnel.model.requests"));
        Assert.Equal(1, seen.GetValueOrDefault("runnel.model.retries"));
        Assert.Equal(1, seen.GetValueOrDefault("runnel.model.errors"));
        Assert.Equal(2, seen.GetValueOrDefault("runnel.model.request.duration"));
    }

    [Fact]
    public async Task InsufficientQuota_IsNotRetried_AndFailsTheStatementByDefault()
    {
        await using var server = await LoopbackServer.StartAsync(_ => (429, Recorded429(3), new Dictionary<string, string>()));
        var e = await Assert.ThrowsAnyAsync<Exception>(() => PredictAsync(server));
        Assert.Contains("insufficient_quota", e.ToString(), StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }
}
