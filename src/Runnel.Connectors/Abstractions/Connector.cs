using Runnel.Core.Data;
using Runnel.Core.Options;
using Runnel.Core.Types;

namespace Runnel.Connectors.Abstractions;

/// <summary>Counters a job shares with its sources and sinks; safe to update from several threads.</summary>
public sealed class JobCounters
{
    private long _rowsRead;
    private long _rowsWritten;
    private long _rowsSkipped;
    private readonly List<string> _skipped = [];

    /// <summary>Rows the job's sources produced.</summary>
    public long RowsRead => Interlocked.Read(ref _rowsRead);
    /// <summary>Rows the job's sinks accepted.</summary>
    public long RowsWritten => Interlocked.Read(ref _rowsWritten);
    /// <summary>Bad rows skipped because a format's ignore-parse-errors option is set.</summary>
    public long RowsSkipped => Interlocked.Read(ref _rowsSkipped);
    /// <summary>The first 100 skipped rows as <c>file:line: reason</c>.</summary>
    public IReadOnlyList<string> SkippedSamples { get { lock (_skipped) return _skipped.ToList(); } }

    private long _modelErrors;
    private readonly List<string> _modelErrorSamples = [];

    /// <summary>Rows whose model call failed and continued with NULL outputs (error-handling-strategy = ignore).</summary>
    public long ModelErrors => Interlocked.Read(ref _modelErrors);
    /// <summary>The first 100 failed model calls' messages.</summary>
    public IReadOnlyList<string> ModelErrorSamples { get { lock (_modelErrorSamples) return _modelErrorSamples.ToList(); } }

    /// <summary>Counts a failed model call whose row continued with NULL outputs.</summary>
    public void AddModelError(string message)
    {
        Interlocked.Increment(ref _modelErrors);
        lock (_modelErrorSamples)
            if (_modelErrorSamples.Count < 100) _modelErrorSamples.Add(message);
    }

    private readonly List<string> _warnings = [];

    /// <summary>Rows sent to a model again after a retryable failure, over every model stage of the job.</summary>
    public long ModelRetries => _models.Values.Sum(m => m.Retries);
    /// <summary>Distinct warnings the job raised while running (at most 100), in the order first raised.</summary>
    public IReadOnlyList<string> Warnings { get { lock (_warnings) return _warnings.ToList(); } }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ModelStageCounters> _models = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Rows answered from the engine's model cache without a call, over every model stage of the job.</summary>
    public long ModelCacheHits => _models.Values.Sum(m => m.CacheHits);

    /// <summary>The counters of each model version the job calls, by <c>model$version</c>.</summary>
    public IReadOnlyDictionary<string, ModelStageCounters> Models => _models;

    /// <summary>The counters of one model version (<c>model$version</c>), created on first use.</summary>
    public ModelStageCounters Model(string name) => _models.GetOrAdd(name, _ => new ModelStageCounters());

    /// <summary>Records a warning once; repeats of the same text are dropped.</summary>
    public void AddWarning(string message)
    {
        lock (_warnings)
            if (_warnings.Count < 100 && !_warnings.Contains(message)) _warnings.Add(message);
    }

    private long _lateRows;

    /// <summary>Rows a window aggregate dropped because a window they belong to had already been emitted (their event
    /// time was behind the watermark), as Flink drops late rows.</summary>
    public long LateRowsDropped => Interlocked.Read(ref _lateRows);
    /// <summary>Counts a row dropped as late.</summary>
    public void AddLateRow() => Interlocked.Increment(ref _lateRows);

    private long _sourceCommits;

    /// <summary>Positions sources committed after completed checkpoints (Kafka: offset commits to the group).</summary>
    public long SourceCommits => Interlocked.Read(ref _sourceCommits);
    /// <summary>Counts a committed source position.</summary>
    public void AddSourceCommit() => Interlocked.Increment(ref _sourceCommits);

    /// <summary>Adds to <see cref="RowsRead"/>.</summary>
    public void AddRead(long n) => Interlocked.Add(ref _rowsRead, n);
    /// <summary>Adds to <see cref="RowsWritten"/>.</summary>
    public void AddWritten(long n) => Interlocked.Add(ref _rowsWritten, n);

    /// <summary>Counts a skipped bad row; <paramref name="where"/> is <c>file:line: reason</c>.</summary>
    public void AddSkipped(string where)
    {
        Interlocked.Increment(ref _rowsSkipped);
        lock (_skipped)
            if (_skipped.Count < 100) _skipped.Add(where);
    }
}

/// <summary>A catalog connection as a connector sees it: type, endpoint, plain options and secrets (revealed only
/// where they are sent to their owner).</summary>
public sealed record ConnectorConnection(string Name, string Type, string? Endpoint, IReadOnlyDictionary<string, string> Options,
    IReadOnlyDictionary<string, Core.Options.SecretValue> Secrets);

/// <summary>What a connector gets to build a source or sink for one table.</summary>
public sealed class TableContext
{
    /// <summary>Table name, for messages.</summary>
    public required string TableName { get; init; }
    /// <summary>The physical columns, in the order rows are produced and consumed.</summary>
    public required Schema PhysicalSchema { get; init; }
    /// <summary>Metadata columns the table declares: key (e.g. <c>timestamp</c>) and type, appended after the physical
    /// columns in rows.</summary>
    public IReadOnlyList<(string Key, SqlType Type)> MetadataColumns { get; init; } = [];
    /// <summary>The table's WITH options (keys case-insensitive).</summary>
    public required IReadOnlyDictionary<string, string> Options { get; init; }
    /// <summary>Looks up a connection of the catalog by name (CREATE CONNECTION), with its secrets, for connectors that
    /// take one (<c>kafka.connection</c>); throws <see cref="Core.Errors.RunnelException"/> naming a missing one. Null
    /// where the job has no catalog.</summary>
    public Func<string, ConnectorConnection>? Connections { get; init; }
    /// <summary>The PRIMARY KEY columns (physical), or null without one; upsert connectors key their messages by it.</summary>
    public IReadOnlyList<string>? PrimaryKey { get; init; }
    /// <summary>Read the table to its current end and stop (batch mode, or the connector's own bounded mode).</summary>
    public bool Bounded { get; init; }
    /// <summary>Physical columns the query reads (null: all); a source may leave the others null.</summary>
    public IReadOnlySet<int>? UsedColumns { get; init; }
    /// <summary>Directory of the catalog, where managed tables keep their data.</summary>
    public required string CatalogDirectory { get; init; }
    /// <summary>The job's counters, for rows read, written and skipped.</summary>
    public required JobCounters Counters { get; init; }
    /// <summary>Session time zone (<c>table.local-time-zone</c>) for TIMESTAMP_LTZ text.</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;
    /// <summary>How often an unbounded sink commits what it has written (Flink's execution.checkpointing.interval).</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>INSERT OVERWRITE: replace the table's contents when the sink finishes.</summary>
    public bool Overwrite { get; init; }
    /// <summary>Where the print connector writes; defaults to the process's standard output.</summary>
    public TextWriter? Output { get; init; }
    /// <summary>Asks the job for a checkpoint now (streaming mode); completes with true when it completed within the
    /// timeout, so every row read before the call is durable in the sinks and positions were committed
    /// (<see cref="ICommittingSource.Commit"/>). Null in batch mode. Used by a Kafka source whose partitions are
    /// being revoked.</summary>
    public Func<TimeSpan, Task<bool>>? RequestCheckpoint { get; init; }
}

/// <summary>
/// A connector: its option schema and how to read and write tables. Registered once in the engine's connector list
/// (<c>AddFiles()</c>, ...); never discovered by scanning. Factories are stateless and thread-safe.
/// </summary>
public interface IConnectorFactory
{
    /// <summary>The <c>connector</c> option value, e.g. <c>filesystem</c>.</summary>
    string Name { get; }
    /// <summary>Valid WITH keys for a table of this connector, including the format's options.</summary>
    OptionSchema GetOptionSchema(IReadOnlyDictionary<string, string> options);
    /// <summary>True when a scan of a table with these options ends by itself in streaming mode.</summary>
    bool IsBounded(IReadOnlyDictionary<string, string> options);
    /// <summary>True when tables of this connector can be scanned.</summary>
    bool CanRead { get; }
    /// <summary>True when tables of this connector can be written.</summary>
    bool CanWrite { get; }
    /// <summary>True when the sink takes -U/+U/-D rows (print, blackhole, upsert tables).</summary>
    bool AcceptsUpdates { get; }
    /// <summary>A source for one scan; throws <see cref="Core.Errors.RunnelException"/> when the connector cannot read.</summary>
    ISource CreateSource(TableContext context);
    /// <summary>A sink for one INSERT; throws <see cref="Core.Errors.RunnelException"/> when the connector cannot write.</summary>
    ISink CreateSink(TableContext context);
}

/// <summary>
/// Reads a table as a sequence of row batches (rows hold the physical columns, then metadata columns). A bounded
/// source completes; an unbounded one waits for new data until the token is cancelled. Bad data throws
/// <see cref="Core.Errors.DataFormatException"/> with file and line unless the format skips it.
/// Called from one task at a time.
/// </summary>
public interface ISource : IAsyncDisposable
{
    /// <summary>Reads the table as batches until it ends (bounded) or the token is cancelled.</summary>
    IAsyncEnumerable<RowBatch> ReadAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// A source that can commit how far it has read, once every row before a position is durable in the job's sinks
/// (Kafka: the consumer group's offsets). Each of its batches carries <see cref="RowBatch.SourcePosition"/>, where the
/// source stands after that batch for the part of the source it came from (a Kafka partition). The scan folds the
/// positions of the batches it passes on into one with <see cref="Advance"/>, drops batches the source has given up
/// (<see cref="IsStale"/>: a revoked partition, whose new owner reads them), and when a checkpoint taken after them
/// completes the job calls <see cref="Commit"/> with the folded position.
/// </summary>
public interface ICommittingSource : ISource
{
    /// <summary>The position after <paramref name="batchPosition"/> (a batch's <see cref="RowBatch.SourcePosition"/>),
    /// given the position <paramref name="position"/> before it (null: nothing passed on yet). Returns a new object;
    /// positions already handed out are not changed.</summary>
    object Advance(object? position, object batchPosition);

    /// <summary>True when the batch at <paramref name="batchPosition"/> must not be passed on: the source no longer
    /// owns its part (a revoked Kafka partition) or the job is stopping. Thread-safe.</summary>
    bool IsStale(object batchPosition);

    /// <summary>Commits <paramref name="position"/> (a position built with <see cref="Advance"/>). Called from any
    /// thread, in increasing order of positions; must not block for long (queue the work).</summary>
    void Commit(object position);

    /// <summary>The job is stopping gracefully: hand out no more rows (every batch not yet passed on becomes stale),
    /// so the final checkpoint covers everything that was passed on.</summary>
    void Quiesce();
}

/// <summary>
/// Writes row batches to a table. <see cref="CheckpointAsync"/> makes everything written so far durable and visible
/// (a file sink renames in-progress part files); <see cref="FinishAsync"/> does the same at the end of a bounded job or
/// on a graceful stop. Called from one task at a time.
/// </summary>
public interface ISink : IAsyncDisposable
{
    /// <summary>Writes a batch (not yet visible to readers of file sinks).</summary>
    ValueTask WriteAsync(RowBatch batch, CancellationToken cancellationToken = default);
    /// <summary>Makes everything written so far durable and visible.</summary>
    ValueTask CheckpointAsync(CancellationToken cancellationToken = default);
    /// <summary>Commits everything at the end of the job or on a graceful stop.</summary>
    ValueTask FinishAsync(CancellationToken cancellationToken = default);
}

/// <summary>Looks up connectors by name (case-insensitive).</summary>
public sealed class ConnectorRegistry
{
    private readonly Dictionary<string, IConnectorFactory> _factories = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Registers a connector under its name (replacing one of the same name).</summary>
    public ConnectorRegistry Add(IConnectorFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _factories[factory.Name] = factory;
        return this;
    }

    /// <summary>The connector by name (case-insensitive).</summary>
    public bool TryGet(string name, out IConnectorFactory factory) => _factories.TryGetValue(name, out factory!);
    /// <summary>Registered connector names, sorted.</summary>
    public IEnumerable<string> Names => _factories.Keys.Order(StringComparer.Ordinal);
}

/// <summary>
/// What one job's calls to one model version did (the model stage of the job): rows asked, requests sent and in
/// flight, rows retried, failed requests by HTTP status (0: no answer), 429 answers, rows answered from the cache,
/// tokens in and out as the provider reported them with their estimated cost, and the latency
/// of every request (milliseconds, the first 100,000 kept for percentiles). Safe to update from several threads.
/// </summary>
public sealed class ModelStageCounters
{
    private long _rows;
    private long _requests;
    private long _retries;
    private long _throttled;
    private long _cacheHits;
    private long _inFlight;
    private long _tokensIn;
    private long _tokensOut;
    private long _costMicroDollars;
    private readonly Dictionary<int, long> _errors = [];
    private readonly List<double> _latencies = [];

    /// <summary>Non-NULL input rows the model was asked for.</summary>
    public long Rows => Interlocked.Read(ref _rows);
    /// <summary>Requests sent to the provider (each may carry several rows).</summary>
    public long Requests => Interlocked.Read(ref _requests);
    /// <summary>Rows sent again after a retryable failure.</summary>
    public long Retries => Interlocked.Read(ref _retries);
    /// <summary>Rows whose answer was a 429.</summary>
    public long Throttled => Interlocked.Read(ref _throttled);
    /// <summary>Rows answered from the cache.</summary>
    public long CacheHits => Interlocked.Read(ref _cacheHits);
    /// <summary>Requests in flight now.</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);
    /// <summary>Input (prompt) tokens the provider reported.</summary>
    public long TokensIn => Interlocked.Read(ref _tokensIn);
    /// <summary>Output (completion) tokens the provider reported.</summary>
    public long TokensOut => Interlocked.Read(ref _tokensOut);
    /// <summary>Estimated cost in US dollars from the reported tokens and the model's prices (0 without prices).</summary>
    public double EstimatedCost => Interlocked.Read(ref _costMicroDollars) / 1_000_000.0;
    /// <summary>Failed rows by HTTP status (0: no answer: connection failure or timeout).</summary>
    public IReadOnlyDictionary<int, long> Errors { get { lock (_errors) return new Dictionary<int, long>(_errors); } }

    /// <summary>Counts rows asked for.</summary>
    public void AddRows(long n) => Interlocked.Add(ref _rows, n);
    /// <summary>Counts rows retried.</summary>
    public void AddRetries(long n) => Interlocked.Add(ref _retries, n);
    /// <summary>Counts a cache hit.</summary>
    public void AddCacheHit() => Interlocked.Increment(ref _cacheHits);
    /// <summary>Marks a request sent; dispose the result when its answer arrives.</summary>
    public void RequestStarted()
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Increment(ref _inFlight);
    }

    /// <summary>Records a finished request's latency in milliseconds.</summary>
    public void RequestFinished(double milliseconds)
    {
        Interlocked.Decrement(ref _inFlight);
        lock (_latencies)
            if (_latencies.Count < 100_000) _latencies.Add(milliseconds);
    }

    /// <summary>The class of a failure by its HTTP status, as <c>error.type</c> in the metrics: <c>connection</c> (0: no
    /// answer), <c>timeout</c> (408), <c>throttled</c> (429), <c>server</c> (5xx), <c>bad_answer</c> (a 2xx the engine
    /// could not use), <c>client</c> (other 4xx: bad request, key, permission, content filter).</summary>
    public static string ErrorClass(int status) => status switch
    {
        0 => "connection",
        408 => "timeout",
        429 => "throttled",
        >= 500 => "server",
        >= 200 and < 300 => "bad_answer",
        _ => "client",
    };

    /// <summary>Failed rows by <see cref="ErrorClass"/>.</summary>
    public IReadOnlyDictionary<string, long> ErrorClasses =>
        Errors.GroupBy(e => ErrorClass(e.Key)).ToDictionary(g => g.Key, g => g.Sum(e => e.Value));

    /// <summary>Counts tokens a request used and their estimated cost in US dollars.</summary>
    public void AddUsage(long tokensIn, long tokensOut, double cost)
    {
        Interlocked.Add(ref _tokensIn, tokensIn);
        Interlocked.Add(ref _tokensOut, tokensOut);
        Interlocked.Add(ref _costMicroDollars, (long)Math.Round(cost * 1_000_000));
    }

    /// <summary>Counts a row that failed with <paramref name="status"/>.</summary>
    public void AddError(int status)
    {
        if (status == 429) Interlocked.Increment(ref _throttled);
        lock (_errors) _errors[status] = _errors.GetValueOrDefault(status) + 1;
    }

    /// <summary>The latency below which <paramref name="percentile"/> % of requests finished (nearest rank), in
    /// milliseconds; 0 before any request.</summary>
    public double Latency(double percentile)
    {
        double[] sorted;
        lock (_latencies) sorted = [.. _latencies];
        if (sorted.Length == 0) return 0;
        Array.Sort(sorted);
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
