using System.Diagnostics;
using Runnel.Engine;
using Runnel.TestSupport;

namespace Runnel.Benchmarks;

/// <summary>
/// Issue 6: rows per second of <c>kafka → ML_PREDICT(local model) → kafka</c> on librdkafka's mock cluster (3 brokers,
/// hosted by kcat). Loads <c>rows</c> JSON reviews keyed by id into topic <c>reviews</c> (4 partitions, the mock's
/// default; keys spread them evenly — the mock keeps at most 5 MiB per partition, so at most ~150,000 rows) with
/// INSERT INTO, trains a local sentiment classifier on the repository's labelled sentences, then runs
/// <c>INSERT INTO rated SELECT id, sentiment FROM reviews, LATERAL TABLE(ML_PREDICT(..))</c> in streaming mode over a
/// bounded scan (to the topic's end) and reports rows/s of that job, and of the same job without ML_PREDICT (what the
/// Kafka path alone costs). One warm-up run, then <c>runs</c> runs; medians.
/// </summary>
public static class KafkaHarness
{
    public static async Task<int> RunAsync(int rows, int runs)
    {
        await using var cluster = await KafkaMockCluster.StartAsync().ConfigureAwait(false);
        var dir = Directory.CreateTempSubdirectory("runnel-bench-kafka-").FullName;
        var sentences = Path.Combine(FindRoot(), "examples", "reviews", "data", "sentiment");
        await using var engine = new RunnelEngine(new RunnelEngineOptions
        {
            CatalogPath = Path.Combine(dir, "catalog.db"),
            Configuration = new Dictionary<string, string> { ["execution.runtime-mode"] = "batch" },
        });
        var servers = cluster.BootstrapServers;
        await engine.ExecuteAsync($"CREATE TABLE labelled (sentence STRING, label INT) WITH ('connector' = 'filesystem', 'path' = '{sentences}', 'format' = 'csv', 'csv.field-delimiter' = '\t', 'csv.disable-quote-character' = 'true')").ConfigureAwait(false);
        await engine.ExecuteAsync("CREATE MODEL sentiment INPUT (text STRING) OUTPUT (sentiment STRING) WITH ('provider' = 'local', 'task' = 'classification') AS SELECT sentence, CASE WHEN label = 1 THEN 'POSITIVE' ELSE 'NEGATIVE' END FROM labelled").ConfigureAwait(false);
        await engine.ExecuteAsync($"CREATE TABLE reviews (id BIGINT, text STRING) WITH ('connector' = 'kafka', 'topic' = 'reviews', 'properties.bootstrap.servers' = '{servers}', 'key.format' = 'json', 'key.fields' = 'id', 'value.format' = 'json', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset')").ConfigureAwait(false);
        var load = Stopwatch.StartNew();
        const int chunk = 50_000;
        for (var from = 0; from < rows; from += chunk)
        {
            var n = Math.Min(chunk, rows - from);
            var values = string.Join(", ", Enumerable.Range(from, n).Select(i => $"({i}, 'review {i}: the coffee was {(i % 3 == 0 ? "awful and cold" : "great, would buy again")}')"));
            await ((JobResult)await engine.ExecuteAsync($"INSERT INTO reviews VALUES {values}").ConfigureAwait(false)).Job.Completion.ConfigureAwait(false);
        }
        Console.WriteLine($"{rows:N0} rows loaded into the mock cluster in {load.Elapsed.TotalSeconds:F1} s ({rows / load.Elapsed.TotalSeconds:N0} rows/s through INSERT INTO); processors: {Environment.ProcessorCount}");
        await engine.ExecuteAsync("SET 'execution.runtime-mode' = 'streaming'").ConfigureAwait(false);

        var with = new List<double>();
        var without = new List<double>();
        for (var run = -1; run < runs; run++)
        {
            var plain = await RowsPerSecondAsync(engine, servers, rows, $"plain{run + 1}", "SELECT id, CAST(NULL AS STRING) FROM reviews").ConfigureAwait(false);
            var predicted = await RowsPerSecondAsync(engine, servers, rows, $"rated{run + 1}", "SELECT id, sentiment FROM reviews, LATERAL TABLE(ML_PREDICT('sentiment', text))").ConfigureAwait(false);
            if (run >= 0) { without.Add(plain); with.Add(predicted); }
            Console.WriteLine($"{(run < 0 ? "warm-up" : $"run {run + 1}")}: kafka → kafka {plain:N0} rows/s; kafka → ML_PREDICT(local) → kafka {predicted:N0} rows/s");
        }
        with.Sort();
        without.Sort();
        Console.WriteLine($"median: kafka → kafka {without[runs / 2]:N0} rows/s; kafka → ML_PREDICT(local) → kafka {with[runs / 2]:N0} rows/s");
        return 0;
    }

    private static async Task<double> RowsPerSecondAsync(RunnelEngine engine, string servers, int rows, string topic, string select)
    {
        await engine.ExecuteAsync($"CREATE TABLE {topic} (id BIGINT, sentiment STRING) WITH ('connector' = 'kafka', 'topic' = '{topic}', 'properties.bootstrap.servers' = '{servers}', 'format' = 'json')").ConfigureAwait(false);
        var watch = Stopwatch.StartNew();
        var job = ((JobResult)await engine.ExecuteAsync($"INSERT INTO {topic} {select}").ConfigureAwait(false)).Job;
        await job.Completion.ConfigureAwait(false);
        watch.Stop();
        if (job.Counters.RowsWritten != rows) throw new InvalidOperationException($"{job.Counters.RowsWritten} rows written of {rows}");
        return rows / watch.Elapsed.TotalSeconds;
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Runnel.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Runnel.slnx not found above " + AppContext.BaseDirectory);
    }
}
