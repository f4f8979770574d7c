using System.Diagnostics;
using System.Text.Json.Nodes;
using Runnel.Engine;
using Runnel.TestSupport;

namespace Runnel.Benchmarks;

/// <summary>
/// Issue 4, benchmarks 3, 4, 5, 7 and 9: the pipeline of <see cref="InferenceHarness"/> (<c>filesystem json →
/// ML_PREDICT → sink</c>, batch mode) against the loopback <see cref="FakeModelServer"/> configured as a loaded
/// provider. Each prints its figures; none asserts (the tests do that).
/// </summary>
public static class ModelBenchmarks
{
    /// <summary>Benchmark 3: embeddings at latency L with C requests in flight and B rows a request; rows/s against
    /// C × B / L, for several B up to OpenAI's 2,048 inputs a request.</summary>
    public static async Task<int> EmbeddingsAsync(int latencyMs, double seconds)
    {
        await using var server = await FakeModelServer.StartAsync().ConfigureAwait(false);
        server.LatencyMs = latencyMs;
        const int parallelism = 4;
        Console.WriteLine($"embeddings: latency {latencyMs} ms, C = {parallelism} requests in flight, about {seconds:F0} s of work each");
        Console.WriteLine($"{"B (rows a request)",18} {"rows",9} {"seconds",8} {"rows/s",10} {"C*B/L",10} {"ratio",6} {"requests",9} {"in flight (avg/peak)",21} {"CPU busy",9}");
        foreach (var batch in new[] { 16, 64, 256, 1024, 2048 })
        {
            var bound = parallelism * batch * 1000.0 / latencyMs;
            var rows = (int)Math.Max(parallelism * batch * 4, bound * seconds);
            var (engine, dir) = await InferenceHarness.SetUpAsync(server.EmbeddingsUrl, rows, $", 'runnel.max-batch-size' = '{batch}'", "vector ARRAY<FLOAT>", "embedding").ConfigureAwait(false);
            await using (engine.ConfigureAwait(false))
            {
                server.ResetCounters();
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                var job = await InferenceHarness.StartAsync(engine, parallelism, "vector").ConfigureAwait(false);
                long samples = 0, busySum = 0;
                using var sampler = new Timer(_ => { Interlocked.Increment(ref samples); Interlocked.Add(ref busySum, server.InFlight); }, null, 0, 5);
                await job.Completion.ConfigureAwait(false);
                var rate = rows / watch.Elapsed.TotalSeconds;
                // The share of the machine's cores this process (engine and fake server) kept busy.
                var busy = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds / (watch.Elapsed.TotalSeconds * Environment.ProcessorCount);
                Console.WriteLine($"{batch,18:N0} {rows,9:N0} {watch.Elapsed.TotalSeconds,8:F2} {rate,10:N0} {bound,10:N0} {rate / bound,6:P1} {server.Requests,9:N0} {$"{(double)Interlocked.Read(ref busySum) / Math.Max(1, Interlocked.Read(ref samples)):F2} / {server.PeakInFlight}",21} {busy,9:P0}");
            }
            Directory.Delete(dir, recursive: true);
        }
        return 0;
    }

    /// <summary>Benchmark 4: a tokens-per-minute budget that C = 64 at L overruns many times for
    /// <paramref name="throttledSeconds"/>, then the budget is lifted. Reported for the throttled window: attempts
    /// against successes, 429s, and tokens served against the budget (whole window and after the first 10 s); after
    /// the lift: rows/s against C / L; overall: statement status and rows lost. Run with and without retry hints.</summary>
    public static async Task<int> StormAsync(int latencyMs, double throttledSeconds)
    {
        foreach (var hints in new[] { true, false })
        {
            await using var server = await FakeModelServer.StartAsync().ConfigureAwait(false);
            server.LatencyMs = latencyMs;
            server.RetryHints = hints;
            const int parallelism = 64;
            const double budget = 30_000; // tokens a minute; a request costs about 25 (9 prompt + max_tokens 16)
            var bound = parallelism * 1000.0 / latencyMs;
            var rows = (int)(budget / 25 / 60 * throttledSeconds + bound * 25);
            var (engine, dir) = await InferenceHarness.SetUpAsync(server.ChatUrl, rows).ConfigureAwait(false);
            await using (engine.ConfigureAwait(false))
            {
                server.TokensPerMinute = budget;
                Console.WriteLine($"429 storm ({(hints ? "with" : "without")} retry hints): {budget:N0} tokens/min for {throttledSeconds:F0} s, then no budget; C = {parallelism}, L = {latencyMs} ms, {rows:N0} rows");
                var watch = Stopwatch.StartNew();
                var job = await InferenceHarness.StartAsync(engine, parallelism).ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                var (requests10, answered10, tokens10) = (server.Requests, server.Answered, server.TokensServed);
                await Task.Delay(TimeSpan.FromSeconds(throttledSeconds - 10)).ConfigureAwait(false);
                var (requests, answered, throttled, tokens) = (server.Requests, server.Answered, server.Throttled, server.TokensServed);
                var minutes = throttledSeconds / 60;
                Console.WriteLine($"  throttled window: {requests:N0} attempts, {answered:N0} successes ({(double)requests / Math.Max(1, answered):F2} attempts a success), {throttled:N0} answered 429; " +
                    $"budget used {tokens / (budget * minutes):P1} ({tokens:N0} of {budget * minutes:N0} tokens)");
                var lateRequests = requests - requests10;
                var lateAnswered = answered - answered10;
                Console.WriteLine($"  after the first 10 s: {lateRequests:N0} attempts, {lateAnswered:N0} successes ({(double)lateRequests / Math.Max(1, lateAnswered):F2} attempts a success); " +
                    $"budget used {(tokens - tokens10) / (budget * (throttledSeconds - 10) / 60):P1}");
                server.TokensPerMinute = 0;
                var answeredAtLift = server.Answered;
                await Task.Delay(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
                var from = server.Answered;
                var t0 = Stopwatch.GetTimestamp();
                await Task.Delay(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
                var recovered = (server.Answered - from) / Stopwatch.GetElapsedTime(t0).TotalSeconds;
                Console.WriteLine($"  after the lift: {recovered:N0} rows answered a second from 3 s to 8 s after it (C/L = {bound:N0}, {recovered / bound:P1}); " +
                    $"{from - answeredAtLift:N0} in the first 3 s");
                try
                {
                    await job.Completion.ConfigureAwait(false);
                    Console.WriteLine($"  job {job.Status.ToString().ToLowerInvariant()} in {watch.Elapsed.TotalSeconds:F1} s: {job.Counters.RowsWritten:N0} of {rows:N0} rows written ({rows - job.Counters.RowsWritten:N0} lost), " +
                        $"{job.Counters.ModelRetries:N0} rows retried, statement failures 0");
                }
                catch (Exception e)
                {
                    Console.WriteLine($"  job FAILED: {e.Message}");
                }
            }
            Directory.Delete(dir, recursive: true);
        }
        return 0;
    }

    /// <summary>Benchmark 5: every tenth row trips the content filter (HTTP 400, never retryable); the model's
    /// error-handling-strategy is 'ignore'. Reported: requests the filtered rows caused (one each means zero retries),
    /// rows retried, rows counted as model errors and recorded, rows written.</summary>
    public static async Task<int> NonRetryableAsync()
    {
        await using var server = await FakeModelServer.StartAsync().ConfigureAwait(false);
        server.LatencyMs = 20;
        server.FilterMarker = "number 7";
        const int rows = 2_000;
        // Rows whose text contains "number 7" (7, 70-79, 700-799, ...) are refused.
        var refused = Enumerable.Range(0, rows).Count(i => $"review number {i} of the benchmark".Contains("number 7", StringComparison.Ordinal));
        var (engine, dir) = await InferenceHarness.SetUpAsync(server.ChatUrl, rows, ", 'error-handling-strategy' = 'ignore'").ConfigureAwait(false);
        await using (engine.ConfigureAwait(false))
        {
            var job = await InferenceHarness.StartAsync(engine, 64, config: ", 'retry_count', '5'").ConfigureAwait(false);
            await job.Completion.ConfigureAwait(false);
            Console.WriteLine($"non-retryable errors: {rows:N0} rows, {refused:N0} of them refused by the content filter (HTTP 400); retry_count 5, error-handling-strategy 'ignore'");
            Console.WriteLine($"  provider saw {server.Filtered:N0} filtered requests for {refused:N0} filtered rows; rows retried {job.Counters.ModelRetries:N0}; " +
                $"model errors counted {job.Counters.ModelErrors:N0}, {job.Counters.ModelErrorSamples.Count} recorded in the job; rows written {job.Counters.RowsWritten:N0} of {rows:N0}");
            if (job.Counters.ModelErrorSamples.Count > 0) Console.WriteLine("  first recorded: " + job.Counters.ModelErrorSamples[0][..Math.Min(160, job.Counters.ModelErrorSamples[0].Length)]);
        }
        Directory.Delete(dir, recursive: true);
        return 0;
    }

    /// <summary>Benchmark 7: 10,000 rows against a latency around the request timeout (log-normal, median L, the
    /// timeout at 1.25 L), many retries allowed. Reported: rows written, distinct ids and duplicates in the sink file,
    /// timeouts, retries, and the time.</summary>
    public static async Task<int> RaceAsync(int rows, int latencyMs)
    {
        await using var server = await FakeModelServer.StartAsync().ConfigureAwait(false);
        server.LatencyMs = latencyMs;
        server.LatencyTailSigma = 0.3;
        var timeout = latencyMs * 1.25 / 1000;
        var (engine, dir) = await InferenceHarness.SetUpAsync(server.ChatUrl, rows, sink: "'connector' = 'filesystem', 'path' = '{dir}/out', 'format' = 'json'").ConfigureAwait(false);
        await using (engine.ConfigureAwait(false))
        {
            var watch = Stopwatch.StartNew();
            var job = await InferenceHarness.StartAsync(engine, 256, config: $", 'client_timeout', '{timeout.ToString(System.Globalization.CultureInfo.InvariantCulture)}', 'retry_count', '30'").ConfigureAwait(false);
            var finished = await Task.WhenAny(job.Completion, Task.Delay(TimeSpan.FromMinutes(5))).ConfigureAwait(false) == job.Completion;
            var ids = Directory.GetFiles(Path.Combine(dir, "out"), "*", SearchOption.AllDirectories)
                .SelectMany(File.ReadAllLines).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!["id"]!.GetValue<long>()).ToList();
            var stage = job.Counters.Models.Values.Single();
            Console.WriteLine($"retry vs timeout: {rows:N0} rows, latency log-normal median {latencyMs} ms (σ 0.3), client_timeout {timeout:F3} s, retry_count 30, C = 256");
            Console.WriteLine($"  {(finished ? $"job {job.Status.ToString().ToLowerInvariant()} in {watch.Elapsed.TotalSeconds:F1} s" : "job HUNG (no end within 5 minutes)")}: " +
                $"{ids.Count:N0} rows in the sink, {ids.Distinct().Count():N0} distinct ids, {ids.Count - ids.Distinct().Count():N0} duplicates, {rows - ids.Distinct().Count():N0} missing; " +
                $"{stage.Errors.GetValueOrDefault(408):N0} requests timed out, {job.Counters.ModelRetries:N0} rows retried, {server.Requests:N0} requests sent");
        }
        Directory.Delete(dir, recursive: true);
        return 0;
    }

    /// <summary>Benchmark 9: <paramref name="rows"/> rows through a model about 100 times slower than the source
    /// (C = 64 at L = 12.8 ms: 5,000 rows/s against a source that reads several hundred thousand a second). Reported:
    /// the process's peak resident memory (sampled every 250 ms and the OS's peak), managed heap, and rows/s.</summary>
    public static async Task<int> MemoryAsync(int rows)
    {
        await using var server = await FakeModelServer.StartAsync().ConfigureAwait(false);
        server.LatencyMs = 13;
        var (engine, dir) = await InferenceHarness.SetUpAsync(server.ChatUrl, rows).ConfigureAwait(false);
        await using (engine.ConfigureAwait(false))
        {
            using var process = Process.GetCurrentProcess();
            long peak = 0;
            using var sampler = new Timer(_ =>
            {
                process.Refresh();
                var ws = process.WorkingSet64;
                long seen;
                while ((seen = Interlocked.Read(ref peak)) < ws && Interlocked.CompareExchange(ref peak, ws, seen) != seen) { }
            }, null, 0, 250);
            var watch = Stopwatch.StartNew();
            var job = await InferenceHarness.StartAsync(engine, 64).ConfigureAwait(false);
            await job.Completion.ConfigureAwait(false);
            process.Refresh();
            Console.WriteLine($"slow model: {rows:N0} rows, C = 64, L = 13 ms (bound {64 * 1000.0 / 13:N0} rows/s); finished in {watch.Elapsed.TotalSeconds:F1} s ({rows / watch.Elapsed.TotalSeconds:N0} rows/s)");
            Console.WriteLine($"  peak resident memory {Interlocked.Read(ref peak) / 1048576.0:N0} MB sampled, {process.PeakWorkingSet64 / 1048576.0:N0} MB OS peak; " +
                $"managed heap now {GC.GetTotalMemory(false) / 1048576.0:N0} MB; {job.Counters.RowsWritten:N0} rows written");
        }
        Directory.Delete(dir, recursive: true);
        return 0;
    }
}
