using System.Diagnostics;
using System.Globalization;
using System.Text;
using Runnel.Engine;

namespace Runnel.Benchmarks;

/// <summary>
/// End-to-end throughput of <c>filesystem json → WHERE + projection → blackhole</c>: generates a JSON-lines file of
/// <c>rows</c> rows (5 columns, about 110 bytes a row; deterministic), then runs the INSERT job <c>runs</c> times in
/// batch mode through <see cref="RunnelEngine"/> after one warm-up run, and reports rows/s per run, best and median. Run it on one core with
/// <c>DOTNET_PROCESSOR_COUNT=1 taskset -c 0</c> (bench/README.md).
/// </summary>
public static class ThroughputHarness
{
    public static async Task<int> RunAsync(int rows, int runs)
    {
        var dir = Path.Combine(Path.GetTempPath(), "runnel-bench");
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, $"orders-{rows}.json");
        if (!File.Exists(file)) Generate(file, rows);
        Console.WriteLine($"input: {file} ({new FileInfo(file).Length / 1e6:F1} MB, {rows:N0} rows); processors: {Environment.ProcessorCount}");
        var rates = new List<double>();
        // Run 0 warms the JIT (tiered compilation, PGO) and is reported but not counted.
        for (var run = -1; run < runs; run++)
        {
            var catalog = Path.Combine(dir, $"catalog-{Guid.NewGuid():N}.db");
            await using var engine = new RunnelEngine(new RunnelEngineOptions
            {
                CatalogPath = catalog,
                Configuration = new Dictionary<string, string> { ["execution.runtime-mode"] = "batch" },
            });
            await engine.ExecuteAsync($"CREATE TABLE src (id BIGINT, customer STRING, amount DOUBLE, country STRING, ts TIMESTAMP(3)) WITH ('connector' = 'filesystem', 'path' = '{file}', 'format' = 'json')");
            await engine.ExecuteAsync("CREATE TABLE snk (id BIGINT, customer STRING, amount_cents BIGINT) WITH ('connector' = 'blackhole')");
            var watch = Stopwatch.StartNew();
            var job = ((JobResult)await engine.ExecuteAsync("INSERT INTO snk SELECT id, customer, CAST(amount * 100 AS BIGINT) FROM src WHERE amount > 20 AND country <> 'NO'")).Job;
            await job.Completion;
            watch.Stop();
            var rate = job.Counters.RowsRead / watch.Elapsed.TotalSeconds;
            if (run >= 0) rates.Add(rate);
            Console.WriteLine($"{(run < 0 ? "warm-up" : $"run {run + 1}")}: {job.Counters.RowsRead:N0} rows read, {job.Counters.RowsWritten:N0} written in {watch.Elapsed.TotalSeconds:F2} s = {rate:N0} rows/s");
        }
        rates.Sort();
        Console.WriteLine($"best {rates[^1]:N0} rows/s, median {rates[rates.Count / 2]:N0} rows/s over {runs} runs");
        return 0;
    }

    private static void Generate(string path, int rows)
    {
        var random = new Random(7);
        string[] countries = ["DE", "FR", "NO", "US", "JP", "BR"];
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        var start = new DateTime(2024, 1, 1);
        for (var i = 0; i < rows; i++)
        {
            var amount = Math.Round(random.NextDouble() * 100, 2).ToString(CultureInfo.InvariantCulture);
            var ts = start.AddSeconds(i).ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);
            w.Write($"{{\"id\": {i}, \"customer\": \"customer-{random.Next(10_000)}\", \"amount\": {amount}, \"country\": \"{countries[i % countries.Length]}\", \"ts\": \"{ts}\"}}\n");
        }
    }
}
