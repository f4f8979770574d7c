using System.Text.Json.Nodes;
using Runnel.Engine;
using Runnel.TestSupport;

namespace Runnel.Cli.Tests;

/// <summary><c>runnel run --stats --summary FILE</c>: the model stage's counters, printed and as JSON.</summary>
public sealed class SummaryTests
{
    [Fact]
    public async Task StatsAndSummary_CountRequestsRetriesThrottlesAndCacheHits()
    {
        var answer = LoopbackServer.Fixture("openai", "openai-dotnet_chat_completions_200_hello_world.json")["Entries"]![0]!["ResponseBody"]!;
        var throttled = LoopbackServer.Fixture("openai", "issues_openai_429_error_examples.json")["examples"]![0]!["body"]!;
        var calls = 0;
        await using var server = await LoopbackServer.StartAsync(_ => Interlocked.Increment(ref calls) == 1
            ? (429, throttled.DeepClone(), new Dictionary<string, string> { ["retry-after-ms"] = "10" })
            : (200, answer.DeepClone(), new Dictionary<string, string>()));
        var tmp = Paths.NewTempDirectory();
        var summaryPath = Path.Combine(tmp, "summary.json");
        var script = $"""
            SET 'execution.runtime-mode' = 'batch';
            CREATE CONNECTION c WITH ('type' = 'openai', 'endpoint' = '{server.BaseUrl}/v1/chat/completions', 'api-key' = 'sk-summary');
            CREATE MODEL m INPUT (text STRING) OUTPUT (answer STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'c', 'openai.params.temperature' = '0',
              'runnel.price.input-per-1m-tokens' = '0.15', 'runnel.price.output-per-1m-tokens' = '0.60');
            CREATE TABLE out_rows (x STRING, answer STRING) WITH ('connector' = 'blackhole');
            INSERT INTO out_rows SELECT x, answer FROM (VALUES ('a'), ('b'), ('a'), (CAST(NULL AS STRING))) AS t (x), LATERAL TABLE(ML_PREDICT('m', x, MAP['max_parallelism', '1']));
            """;
        var output = new StringWriter();
        int exit;
        await using (var engine = new RunnelEngine(new RunnelEngineOptions { CatalogPath = Path.Combine(tmp, "catalog.db") }))
            exit = await CliApp.RunScriptAsync(engine, script, output, output, stats: true, summaryPath: summaryPath);
        Assert.Equal(0, exit);
        Assert.Contains("[STATS] model m$1: 3 rows, 3 requests, 1 retried, 1 failed (1 throttled), 1 throttled (429), 0 from cache", output.ToString(), StringComparison.Ordinal);
        var summary = JsonNode.Parse(await File.ReadAllTextAsync(summaryPath))!;
        Assert.Equal(0, summary["exitCode"]!.GetValue<int>());
        var job = summary["statements"]!.AsArray().Single()!;
        Assert.Equal("finished", job["status"]!.GetValue<string>());
        Assert.Equal(4, job["rowsWritten"]!.GetValue<long>());
        var m = job["models"]!["m$1"]!;
        // a, b and the repeated a (which waits for the first a's request) are asked; NULL is not. Requests: a (429), a again, b.
        Assert.Equal(3, m["rows"]!.GetValue<long>());
        Assert.Equal(3, m["requests"]!.GetValue<long>());
        Assert.Equal(1, m["retries"]!.GetValue<long>());
        Assert.Equal(1, m["errors"]!["429"]!.GetValue<long>());
        Assert.Equal(1, m["errorClasses"]!["throttled"]!.GetValue<long>());
        Assert.True(m["latencyMs"]!["p99"]!.GetValue<double>() >= m["latencyMs"]!["p50"]!.GetValue<double>());
        // Two answered requests, each reporting the recorded usage (11 prompt and 9 completion tokens), priced.
        Assert.Equal(22, m["tokensIn"]!.GetValue<long>());
        Assert.Equal(18, m["tokensOut"]!.GetValue<long>());
        Assert.Equal(Math.Round(22 * 0.15e-6 + 18 * 0.60e-6, 6), m["estimatedCostUsd"]!.GetValue<double>());
        Assert.Contains("tokens 22 in, 18 out, estimated cost $0.0000", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("sk-summary", await File.ReadAllTextAsync(summaryPath), StringComparison.Ordinal);
    }

    [Fact]
    public void TheStatusLine_ShowsEachModelStage()
    {
        var counters = new Runnel.Connectors.Abstractions.JobCounters();
        var stage = counters.Model("sentiment$1");
        stage.AddRows(1500);
        stage.RequestStarted();
        stage.RequestStarted();
        stage.RequestFinished(120);
        stage.AddRetries(3);
        stage.AddError(429);
        Assert.Equal(" | model sentiment$1: 1,500 rows, 1 in flight, 3 retried, 1 throttled, p95 120 ms", Progress.ModelStages(counters));
        Assert.Equal("", Progress.ModelStages(null));
    }
}
