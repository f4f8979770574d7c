using System.Diagnostics;
using Runnel.Core.Options;
using Runnel.Engine;
using Runnel.Engine.Models;
using Runnel.Models.Abstractions;

namespace Runnel.Benchmarks;

/// <summary>
/// Issue 4, benchmark 10: the engine's own CPU cost per predicted row. A provider registered in-process answers every
/// row at once with a constant (no network, no work), so the process CPU time of <c>filesystem json → ML_PREDICT →
/// blackhole</c> minus that of the same job without ML_PREDICT is what the model stage costs: binding arguments,
/// batching, the in-flight semaphore, metrics, and joining outputs to rows. One warm-up run, then <c>runs</c> runs;
/// reports CPU µs per row for both jobs and their difference (medians).
/// </summary>
public static class InstantModelHarness
{
    private sealed class InstantProvider : IModelProvider
    {
        public string Name => "instant";
        public IReadOnlyList<string> Tasks { get; } = ModelTasks.All;
        public IReadOnlyList<OptionDef> Options { get; } = [];
        public bool NeedsConnection => false;
        public void Validate(ModelVersionInfo version) { }
        public IModelInvoker CreateInvoker(ModelVersionInfo version, ConnectionInfo? connection) => new Invoker();

        private sealed class Invoker : IModelInvoker
        {
            private static readonly object?[] Answer = ["POSITIVE"];
            public int PreferredBatchSize => 256;
            public Task<IReadOnlyList<ModelOutput>> PredictAsync(IReadOnlyList<object?[]> inputs, CancellationToken cancellationToken = default) =>
                Task.FromResult<IReadOnlyList<ModelOutput>>(inputs.Select(_ => new ModelOutput(Answer)).ToArray());
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    public static async Task<int> RunAsync(int rows, int runs)
    {
        var dir = Path.Combine(Path.GetTempPath(), "runnel-bench-instant");
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, $"reviews-{rows}.json");
        if (!File.Exists(file))
            await File.WriteAllLinesAsync(file, Enumerable.Range(0, rows).Select(i => $"{{\"id\": {i}, \"text\": \"review number {i} of the benchmark\"}}")).ConfigureAwait(false);
        Console.WriteLine($"{rows:N0} rows; processors: {Environment.ProcessorCount}");
        var with = new List<double>();
        var without = new List<double>();
        for (var run = -1; run < runs; run++)
        {
            var plain = await CpuPerRowAsync(dir, file, rows, "INSERT INTO rated SELECT id, text FROM reviews").ConfigureAwait(false);
            var predicted = await CpuPerRowAsync(dir, file, rows, "INSERT INTO rated SELECT id, label FROM reviews, LATERAL TABLE(ML_PREDICT('sentiment', text))").ConfigureAwait(false);
            if (run >= 0) { without.Add(plain); with.Add(predicted); }
            Console.WriteLine($"{(run < 0 ? "warm-up" : $"run {run + 1}")}: without ML_PREDICT {plain:F2} µs/row, with {predicted:F2} µs/row, model stage {predicted - plain:F2} µs/row");
        }
        with.Sort();
        without.Sort();
        Console.WriteLine($"median: without {without[runs / 2]:F2} µs/row, with {with[runs / 2]:F2} µs/row, model stage {with[runs / 2] - without[runs / 2]:F2} µs/row of CPU");
        return 0;
    }

    private static async Task<double> CpuPerRowAsync(string dir, string file, int rows, string insert)
    {
        var catalog = Path.Combine(dir, $"catalog-{Guid.NewGuid():N}.db");
        await using var engine = new RunnelEngine(new RunnelEngineOptions
        {
            CatalogPath = catalog,
            ModelProviders = new ModelProviderRegistry().AddBuiltIns().Add(new InstantProvider()),
            Configuration = new Dictionary<string, string> { ["execution.runtime-mode"] = "batch" },
        });
        await engine.ExecuteAsync("CREATE MODEL sentiment INPUT (text STRING) OUTPUT (label STRING) WITH ('provider' = 'instant', 'task' = 'classification')").ConfigureAwait(false);
        await engine.ExecuteAsync($"CREATE TABLE reviews (id BIGINT, text STRING) WITH ('connector' = 'filesystem', 'path' = '{file}', 'format' = 'json')").ConfigureAwait(false);
        await engine.ExecuteAsync("CREATE TABLE rated (id BIGINT, label STRING) WITH ('connector' = 'blackhole')").ConfigureAwait(false);
        GC.Collect();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var job = ((JobResult)await engine.ExecuteAsync(insert).ConfigureAwait(false)).Job;
        await job.Completion.ConfigureAwait(false);
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        if (job.Counters.RowsWritten != rows) throw new InvalidOperationException($"{job.Counters.RowsWritten} rows written of {rows}");
        return used.TotalMicroseconds / rows;
    }
}
