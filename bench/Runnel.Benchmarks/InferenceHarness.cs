using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Runnel.Engine;

namespace Runnel.Benchmarks;

/// <summary>
/// Issue 4, benchmarks 1 and 2: ML_PREDICT throughput against a model of fixed latency L. A loopback
/// OpenAI-compatible chat endpoint (Kestrel) answers every request after L ms with a chat.completion shaped as the
/// recorded OpenAI answers (shared/fixtures/providers/openai). The job is <c>filesystem json → ML_PREDICT → blackhole</c>
/// in batch mode; each configuration gets enough rows for about <c>seconds</c> of work at its bound C / L. Reported:
/// rows/s, the bound C / L, their ratio, and the peak number of requests the server saw at once. The "Flink default"
/// configuration is the same pipeline with Flink's and Confluent's default of 10 requests in flight, one call per row.
/// </summary>
public static class InferenceHarness
{
    private static int _inFlight;
    private static int _peak;
    private static long _requests;
    private static long _downUntilTicks;
    private static long _refused;

    public static async Task<int> RunAsync(int latencyMs, double seconds, bool outageOnly = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            Interlocked.Increment(ref _requests);
            if (DateTime.UtcNow.Ticks < Interlocked.Read(ref _downUntilTicks))
            {
                Interlocked.Increment(ref _refused);
                return Results.Json(new JsonObject { ["error"] = new JsonObject { ["message"] = "Service Unavailable", ["type"] = "server_error" } }, statusCode: 503);
            }
            var now = Interlocked.Increment(ref _inFlight);
            int seen;
            while ((seen = Volatile.Read(ref _peak)) < now && Interlocked.CompareExchange(ref _peak, now, seen) != seen) { }
            try
            {
                var request = await JsonNode.ParseAsync(context.Request.Body).ConfigureAwait(false);
                await Task.Delay(latencyMs).ConfigureAwait(false);
                var content = request?["messages"]?.AsArray().LastOrDefault()?["content"]?.GetValue<string>()?.Length % 2 == 0 ? "POSITIVE" : "NEGATIVE";
                return Results.Json(new JsonObject
                {
                    ["id"] = "chatcmpl-bench", ["object"] = "chat.completion", ["created"] = 1770950813, ["model"] = "gpt-4o-mini-2024-07-18",
                    ["choices"] = new JsonArray(new JsonObject
                    {
                        ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content, ["refusal"] = null }, ["finish_reason"] = "stop",
                    }),
                    ["usage"] = new JsonObject { ["prompt_tokens"] = 12, ["completion_tokens"] = 2, ["total_tokens"] = 14 },
                });
            }
            finally { Interlocked.Decrement(ref _inFlight); }
        });
        await app.StartAsync().ConfigureAwait(false);
        var url = app.Urls.First().TrimEnd('/') + "/v1/chat/completions";
        if (outageOnly)
        {
            await OutageAsync(url, latencyMs, seconds).ConfigureAwait(false);
            await app.StopAsync().ConfigureAwait(false);
            return 0;
        }
        Console.WriteLine($"model latency {latencyMs} ms; about {seconds:F0} s of work a configuration; processors: {Environment.ProcessorCount}");
        Console.WriteLine($"{"configuration",-34} {"rows",8} {"seconds",8} {"rows/s",9} {"C/L",9} {"ratio",6} {"peak in flight",15}");
        var results = new Dictionary<string, double>();
        foreach (var (name, parallelism) in new[] { ("Flink default (10 in flight)", 10), ("Runnel C=16", 16), ("Runnel C=64", 64), ("Runnel C=256", 256) })
        {
            var bound = parallelism * 1000.0 / latencyMs;
            var rows = (int)Math.Max(parallelism * 4, bound * seconds);
            var rate = await RunOnceAsync(url, rows, parallelism).ConfigureAwait(false);
            results[name] = rate.Rate;
            Console.WriteLine($"{name,-34} {rows,8:N0} {rate.Seconds,8:F2} {rate.Rate,9:N1} {bound,9:N1} {rate.Rate / bound,6:P1} {rate.Peak,15}");
        }
        var flink = results["Flink default (10 in flight)"];
        foreach (var (name, rate) in results.Where(r => r.Key.StartsWith("Runnel", StringComparison.Ordinal)))
            Console.WriteLine($"{name} / Flink default: {rate / flink:F1}x");
        await ReplayAsync(url).ConfigureAwait(false);
        await app.StopAsync().ConfigureAwait(false);
        return 0;
    }

    /// <summary>A fresh engine in its own directory with <paramref name="rows"/> generated reviews in a JSON file, a
    /// connection to the loopback model, the model <c>sentiment</c> (plus <paramref name="modelOptions"/>) and a blackhole sink.</summary>
    private static async Task<(RunnelEngine Engine, string Dir)> SetUpAsync(string url, int rows, string modelOptions = "")
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
        await engine.ExecuteAsync($"CREATE MODEL sentiment INPUT (text STRING) OUTPUT (label STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'fake'{modelOptions})").ConfigureAwait(false);
        await engine.ExecuteAsync($"CREATE TABLE reviews (id BIGINT, text STRING) WITH ('connector' = 'filesystem', 'path' = '{file}', 'format' = 'json')").ConfigureAwait(false);
        await engine.ExecuteAsync("CREATE TABLE rated (id BIGINT, label STRING) WITH ('connector' = 'blackhole')").ConfigureAwait(false);
        return (engine, dir);
    }

    /// <summary>Starts <c>INSERT INTO rated .. ML_PREDICT</c> with <paramref name="parallelism"/> requests in flight.</summary>
    private static async Task<RunnelJob> StartAsync(RunnelEngine engine, int parallelism) =>
        ((JobResult)await engine.ExecuteAsync(
            $"INSERT INTO rated SELECT id, label FROM reviews, LATERAL TABLE(ML_PREDICT('sentiment', text, MAP['max_parallelism', '{parallelism}']))").ConfigureAwait(false)).Job;

    /// <summary>Benchmark 6: C = 64 against latency L; 3 s into the job the provider answers 503 to everything for
    /// <paramref name="outageSeconds"/> s. Reports rows written of rows read, requests refused during the outage, the
    /// job's warnings and how long it took against the outage-free bound.</summary>
    private static async Task OutageAsync(string url, int latencyMs, double outageSeconds)
    {
        const int parallelism = 64;
        var rows = (int)(parallelism * 1000.0 / latencyMs * (outageSeconds + 10));
        var (engine, dir) = await SetUpAsync(url, rows).ConfigureAwait(false);
        await using var _ = engine.ConfigureAwait(false);
        var watch = Stopwatch.StartNew();
        var job = await StartAsync(engine, parallelism).ConfigureAwait(false);
        await Task.Delay(3000).ConfigureAwait(false);
        Interlocked.Exchange(ref _downUntilTicks, DateTime.UtcNow.AddSeconds(outageSeconds).Ticks);
        Console.WriteLine($"outage of {outageSeconds:F0} s starts 3 s into a job of {rows:N0} rows (C = {parallelism}, L = {latencyMs} ms)");
        try
        {
            await job.Completion.ConfigureAwait(false);
            Console.WriteLine($"job {job.Status.ToString().ToLowerInvariant()} in {watch.Elapsed.TotalSeconds:F1} s (bound without outage {rows / (parallelism * 1000.0 / latencyMs):F1} s + outage {outageSeconds:F0} s): " +
                $"{job.Counters.RowsRead:N0} rows read, {job.Counters.RowsWritten:N0} written, {rows - job.Counters.RowsWritten:N0} lost; " +
                $"{Interlocked.Read(ref _refused):N0} requests refused with 503 during the outage; {job.Counters.ModelRetries:N0} rows retried");
        }
        catch (Exception e)
        {
            Console.WriteLine($"job FAILED after {watch.Elapsed.TotalSeconds:F1} s: {e.Message}");
        }
        foreach (var warning in job.Counters.Warnings) Console.WriteLine("warning: " + warning);
        Directory.Delete(dir, recursive: true);
    }

    /// <summary>Benchmark 8: a temperature-0 model over 5,000 rows, then the same rows again in the same engine.</summary>
    private static async Task ReplayAsync(string url)
    {
        const int rows = 5_000;
        var (engine, dir) = await SetUpAsync(url, rows, ", 'openai.params.temperature' = '0'").ConfigureAwait(false);
        await using var _ = engine.ConfigureAwait(false);
        foreach (var pass in new[] { "first pass", "replay" })
        {
            var before = Interlocked.Read(ref _requests);
            var watch = Stopwatch.StartNew();
            var job = await StartAsync(engine, 256).ConfigureAwait(false);
            await job.Completion.ConfigureAwait(false);
            var calls = Interlocked.Read(ref _requests) - before;
            Console.WriteLine($"cache {pass}: {job.Counters.RowsWritten:N0} rows in {watch.Elapsed.TotalSeconds:F2} s, {job.Counters.ModelCacheHits:N0} cache hits " +
                $"({100.0 * job.Counters.ModelCacheHits / rows:F1} %), {calls:N0} provider calls");
        }
        Directory.Delete(dir, recursive: true);
    }

    private static async Task<(double Rate, double Seconds, int Peak)> RunOnceAsync(string url, int rows, int parallelism)
    {
        var (engine, dir) = await SetUpAsync(url, rows).ConfigureAwait(false);
        await using var _ = engine.ConfigureAwait(false);
        Volatile.Write(ref _peak, 0);
        var watch = Stopwatch.StartNew();
        var job = await StartAsync(engine, parallelism).ConfigureAwait(false);
        await job.Completion.ConfigureAwait(false);
        watch.Stop();
        if (job.Counters.RowsWritten != rows) throw new InvalidOperationException($"{job.Counters.RowsWritten} rows written of {rows}");
        Directory.Delete(dir, recursive: true);
        return (rows / watch.Elapsed.TotalSeconds, watch.Elapsed.TotalSeconds, Volatile.Read(ref _peak));
    }
}
