using System.Diagnostics;
using Runnel.Core.Data;
using Runnel.Core.Errors;
using Runnel.Engine;
using Runnel.Sql.Ast;

namespace Runnel.Cli;

/// <summary>Runs statements on an engine and prints their results for the CLI: waits for bounded INSERT jobs,
/// leaves unbounded ones running, streams query results, and shows progress for long work (a status line on a
/// terminal, a plain line every few seconds otherwise).</summary>
internal sealed class StatementRunner(RunnelEngine engine, TextWriter output, TextWriter error, bool interactiveTerminal, bool liveTables = false)
{
    private readonly ResultPrinter _printer = new(output);
    private readonly List<System.Text.Json.Nodes.JsonObject> _finished = [];

    /// <summary>Print each model stage's counters after a job or query (<c>runnel run --stats</c>).</summary>
    public bool PrintStats { get; init; }

    /// <summary>The JSON summary of every job and query run so far (<c>runnel run --summary FILE</c>): for each, its
    /// kind, id, status, seconds, rows read / written / skipped, model errors, and per model version (<c>model$n</c>)
    /// rows, requests, retries, errors by HTTP status, 429s, cache hits and latency p50/p95/p99 in milliseconds.</summary>
    public string Summary(int exitCode)
    {
        var root = new System.Text.Json.Nodes.JsonObject { ["exitCode"] = exitCode, ["statements"] = new System.Text.Json.Nodes.JsonArray([.. _finished.Select(f => f.DeepClone())]) };
        return root.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }

    private void Record(string kind, string id, string status, TimeSpan elapsed, Connectors.Abstractions.JobCounters counters)
    {
        var models = new System.Text.Json.Nodes.JsonObject();
        foreach (var (name, m) in counters.Models.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            models[name] = new System.Text.Json.Nodes.JsonObject
            {
                ["rows"] = m.Rows, ["requests"] = m.Requests, ["retries"] = m.Retries, ["throttled"] = m.Throttled, ["cacheHits"] = m.CacheHits,
                ["errors"] = new System.Text.Json.Nodes.JsonObject([.. m.Errors.OrderBy(e => e.Key).Select(e => KeyValuePair.Create(e.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), (System.Text.Json.Nodes.JsonNode?)e.Value))]),
                ["latencyMs"] = new System.Text.Json.Nodes.JsonObject { ["p50"] = Math.Round(m.Latency(50), 3), ["p95"] = Math.Round(m.Latency(95), 3), ["p99"] = Math.Round(m.Latency(99), 3) },
                ["errorClasses"] = new System.Text.Json.Nodes.JsonObject([.. m.ErrorClasses.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => KeyValuePair.Create(e.Key, (System.Text.Json.Nodes.JsonNode?)e.Value))]),
                ["tokensIn"] = m.TokensIn, ["tokensOut"] = m.TokensOut, ["estimatedCostUsd"] = Math.Round(m.EstimatedCost, 6),
            };
            if (PrintStats)
                output.WriteLine($"[STATS] model {name}: {m.Rows} rows, {m.Requests} requests, {m.Retries} retried, {m.Errors.Values.Sum()} failed" +
                    (m.Errors.Count > 0 ? $" ({string.Join(", ", m.ErrorClasses.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Value} {e.Key}"))})" : "") + $", {m.Throttled} throttled (429), " +
                    $"{m.CacheHits} from cache; latency p50 {m.Latency(50):F1} ms, p95 {m.Latency(95):F1} ms, p99 {m.Latency(99):F1} ms; " +
                    $"tokens {m.TokensIn} in, {m.TokensOut} out{(m.EstimatedCost > 0 ? $", estimated cost ${m.EstimatedCost:F4}" : "")}");
        }
        _finished.Add(new System.Text.Json.Nodes.JsonObject
        {
            ["kind"] = kind, ["id"] = id, ["status"] = status, ["seconds"] = Math.Round(elapsed.TotalSeconds, 3),
            ["rowsRead"] = counters.RowsRead, ["rowsWritten"] = counters.RowsWritten, ["rowsSkipped"] = counters.RowsSkipped, ["lateRowsDropped"] = counters.LateRowsDropped, ["modelErrors"] = counters.ModelErrors,
            ["models"] = models,
        });
    }

    public async Task RunAsync(Statement statement, CancellationToken cancellationToken)
    {
        var result = await engine.ExecuteAsync(statement, cancellationToken).ConfigureAwait(false);
        switch (result)
        {
            case MessageResult m when statement is ExplainStatement or ShowCreateStatement:
                output.WriteLine(m.Message);
                output.WriteLine();
                break;
            case MessageResult m:
                output.WriteLine($"[INFO] {m.Message}");
                output.WriteLine();
                break;
            case TableResult t:
                if (t.Rows.Count == 0) output.WriteLine("Empty set");
                else _printer.PrintTable(t.Schema, t.Rows);
                output.WriteLine();
                break;
            case JobResult j:
                output.WriteLine("[INFO] Submitting SQL update statement to the cluster...");
                output.WriteLine("[INFO] SQL update statement has been successfully submitted to the cluster:");
                output.WriteLine($"Job ID: {j.Job.Id}");
                output.WriteLine();
                if (j.Job.IsBounded) await WaitAsync(j.Job, cancellationToken).ConfigureAwait(false);
                break;
            case QueryResult q:
                var watch = Stopwatch.StartNew();
                await PrintQueryAsync(q, cancellationToken).ConfigureAwait(false);
                Record("query", $"query-{_finished.Count + 1}", "finished", watch.Elapsed, q.Counters);
                break;
        }
    }

    /// <summary>Waits for a job, showing progress; rethrows its error.</summary>
    public async Task WaitAsync(RunnelJob job, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        using var progress = new Progress(error, interactiveTerminal, () => (job.Counters.RowsRead, job.Counters.RowsWritten), $"Job {job.Id[..8]}", job.Counters);
        try
        {
            await job.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await job.StopAsync().ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            Record("job", job.Id, "failed", watch.Elapsed, job.Counters);
            throw;
        }
        progress.Dispose();
        var skipped = job.Counters.RowsSkipped > 0 ? $", {job.Counters.RowsSkipped} bad rows skipped" : "";
        output.WriteLine($"[INFO] Job {job.Id} {job.Status.ToString().ToLowerInvariant()}: {job.Counters.RowsRead} rows read, {job.Counters.RowsWritten} rows written{skipped} in {watch.Elapsed.TotalSeconds:F1} s.");
        foreach (var sample in job.Counters.SkippedSamples.Take(5)) output.WriteLine($"[WARNING] skipped {sample}");
        if (job.Counters.LateRowsDropped > 0) output.WriteLine(LateWarning(job.Counters));
        foreach (var sample in job.Counters.ModelErrorSamples.Take(5)) output.WriteLine($"[WARNING] model call failed, outputs NULL: {sample}");
        if (job.Counters.ModelCacheHits > 0) output.WriteLine($"[INFO] {job.Counters.ModelCacheHits} model rows were answered from the cache.");
        if (job.Counters.ModelRetries > 0) output.WriteLine($"[INFO] {job.Counters.ModelRetries} model rows were retried after retryable failures.");
        foreach (var warning in job.Counters.Warnings.Take(5)) output.WriteLine($"[WARNING] {warning}");
        Record("job", job.Id, job.Status.ToString().ToLowerInvariant(), watch.Elapsed, job.Counters);
        output.WriteLine();
    }

    private async Task PrintQueryAsync(QueryResult q, CancellationToken cancellationToken)
    {
        if (q.IsBounded && !q.IsUpdating || engine.Session.BatchMode)
        {
            var rows = new List<object?[]>();
            var kinds = new List<RowKind>();
            using (new Progress(error, interactiveTerminal, () => (q.Counters.RowsRead, rows.Count), "Query", q.Counters))
            {
                await foreach (var row in q.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    rows.Add(row.Values);
                    kinds.Add(row.Kind);
                }
            }
            if (rows.Count == 0) output.WriteLine("Empty set");
            else _printer.PrintTable(q.Schema, rows);
            PrintSkipped(q);
            output.WriteLine();
            return;
        }
        if (liveTables)
        {
            await PrintLiveAsync(q, cancellationToken).ConfigureAwait(false);
            return;
        }
        var streaming = new ResultPrinter.Streaming(output, q.Schema, showKind: true);
        streaming.Header();
        try
        {
            await foreach (var row in q.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                streaming.Row(row);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C ends an unbounded query; the rows so far stay printed.
        }
        streaming.Footer();
        PrintSkipped(q);
        output.WriteLine();
    }

    /// <summary>The shell's view of an unbounded result: the current rows as one table, redrawn in place (at most
    /// every 250 ms) as the changelog updates it, until Ctrl+C.</summary>
    private async Task PrintLiveAsync(QueryResult q, CancellationToken cancellationToken)
    {
        var table = new List<object?[]>();
        var drawnLines = 0;
        var dirty = false;
        var lastDraw = DateTime.MinValue;
        void Draw()
        {
            var text = new StringWriter();
            var shown = table.Count > 40 ? table.Take(40).ToList() : table;
            new ResultPrinter(text).PrintTable(q.Schema, shown);
            if (shown.Count < table.Count) text.WriteLine($"... {table.Count - shown.Count} more rows");
            text.WriteLine("(updating; Ctrl+C to stop)");
            var rendered = text.ToString();
            if (drawnLines > 0) output.Write($"\x1b[{drawnLines}F\x1b[J");
            output.Write(rendered);
            output.Flush();
            drawnLines = rendered.Count(c => c == '\n');
            dirty = false;
            lastDraw = DateTime.UtcNow;
        }
        try
        {
            await foreach (var batch in q.ReadBatchesAsync(cancellationToken).ConfigureAwait(false))
            {
                var updatedAt = -1;
                foreach (var row in batch.Rows)
                {
                    switch (row.Kind)
                    {
                        // An update replaces its row where it stands, so rows do not jump around.
                        case RowKind.UpdateAfter when updatedAt >= 0: table.Insert(updatedAt, row.Values); updatedAt = -1; break;
                        case RowKind.Insert or RowKind.UpdateAfter: table.Add(row.Values); break;
                        default:
                            updatedAt = table.FindIndex(r => Core.Data.KeyComparer.Instance.Equals(r, row.Values));
                            if (updatedAt >= 0) table.RemoveAt(updatedAt);
                            if (row.Kind == RowKind.Delete) updatedAt = -1;
                            break;
                    }
                    dirty = true;
                }
                if (dirty && DateTime.UtcNow - lastDraw > TimeSpan.FromMilliseconds(250)) Draw();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        Draw();
        PrintSkipped(q);
        output.WriteLine();
    }

    private void PrintSkipped(QueryResult q) => PrintWarnings(q.Counters);

    private void PrintWarnings(Connectors.Abstractions.JobCounters counters)
    {
        if (counters.RowsSkipped > 0)
            output.WriteLine($"[WARNING] {counters.RowsSkipped} bad rows were skipped (ignore-parse-errors); first: {counters.SkippedSamples.FirstOrDefault()}");
        if (counters.ModelErrors > 0)
            output.WriteLine($"[WARNING] {counters.ModelErrors} model calls failed and gave NULL outputs (error-handling-strategy = ignore); first: {counters.ModelErrorSamples.FirstOrDefault()}");
        if (counters.LateRowsDropped > 0) output.WriteLine(LateWarning(counters));
        foreach (var warning in counters.Warnings.Take(5)) output.WriteLine($"[WARNING] {warning}");
    }

    private static string LateWarning(Connectors.Abstractions.JobCounters counters) =>
        $"[WARNING] {counters.LateRowsDropped} late rows were dropped by window aggregates (event time behind the watermark: raise the WATERMARK delay to keep them)";

    public static string Describe(Exception e) => e switch
    {
        RunnelException r => r.Message,
        AggregateException { InnerExceptions.Count: 1 } a => Describe(a.InnerException!),
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}

/// <summary>Progress of a long job or query: rows read, rows written and the read rate, then each model stage (rows
/// asked, requests in flight, rows retried, 429s, p95 latency). On a terminal it redraws one status line on standard
/// error every 250 ms; otherwise it writes a plain line every 5 s. Silent for work that ends within the first
/// interval.</summary>
internal sealed class Progress : IDisposable
{
    private readonly Timer _timer;
    private readonly TextWriter _writer;
    private readonly bool _terminal;
    private readonly Func<(long Read, long Written)> _counters;
    private readonly string _label;
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private bool _drawn;
    private int _disposed;

    private readonly Connectors.Abstractions.JobCounters? _job;

    public Progress(TextWriter writer, bool terminal, Func<(long Read, long Written)> counters, string label, Connectors.Abstractions.JobCounters? job = null)
    {
        _job = job;
        _writer = writer;
        _terminal = terminal;
        _counters = counters;
        _label = label;
        var period = terminal ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(5);
        _timer = new Timer(_ => Tick(), null, terminal ? TimeSpan.FromSeconds(1) : period, period);
    }

    private void Tick()
    {
        if (Volatile.Read(ref _disposed) != 0) return;
        var (read, written) = _counters();
        var rate = read / Math.Max(0.001, _watch.Elapsed.TotalSeconds);
        var text = $"{_label}: {read:N0} rows read, {written:N0} rows written, {rate:N0} rows/s, {_watch.Elapsed:mm\\:ss}" + ModelStages(_job);
        lock (_writer)
        {
            if (_terminal)
            {
                _writer.Write("\r\x1b[2K" + text);
                _drawn = true;
            }
            else _writer.WriteLine("[INFO] " + text);
        }
    }

    /// <summary>The model stages of a job for the status line: <c> | model m$1: 1,024 rows, 64 in flight, 3 retried, 2
    /// throttled, p95 201 ms</c>.</summary>
    internal static string ModelStages(Connectors.Abstractions.JobCounters? job) =>
        job is null ? "" : string.Concat(job.Models.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m =>
            $" | model {m.Key}: {m.Value.Rows:N0} rows, {m.Value.InFlight:N0} in flight, {m.Value.Retries:N0} retried, {m.Value.Throttled:N0} throttled, p95 {m.Value.Latency(95):N0} ms"));

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _timer.Dispose();
        lock (_writer)
            if (_drawn) _writer.Write("\r\x1b[2K");
    }
}
