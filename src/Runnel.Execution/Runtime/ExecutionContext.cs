using Runnel.Connectors.Abstractions;
using Runnel.Sql.Planning;

namespace Runnel.Execution.Runtime;

/// <summary>Runs a lateral table function (other than UNNEST) for one input row: the rows it returns. Registered by
/// the layer that binds the function (model inference functions plug in here).</summary>
public interface ITableFunctionRuntime
{
    /// <summary>Upper-case function names this runtime serves.</summary>
    IReadOnlyCollection<string> Names { get; }

    /// <summary>Creates the per-operator evaluator. The evaluator receives a batch of argument tuples and returns,
    /// for each, its output rows (each an array of the function's columns), in order.</summary>
    ITableFunctionEvaluator Create(TableFunctionCall call, JobContext context);
}

/// <summary>Evaluates a table function over a batch of argument tuples.</summary>
public interface ITableFunctionEvaluator : IAsyncDisposable
{
    /// <summary>For each argument tuple, in order, the rows the function returns for it.</summary>
    Task<IReadOnlyList<IReadOnlyList<object?[]>>> EvaluateAsync(IReadOnlyList<object?[]> arguments, CancellationToken cancellationToken);

    /// <summary>True (the default) when results must follow the input's order; false lets the operator emit each input
    /// batch's results as soon as they are done (Flink's <c>output-mode</c> = <c>ALLOW_UNORDERED</c>).</summary>
    bool Ordered => true;

    /// <summary>How many input rows the function wants under evaluation at once to keep its calls busy (the operator
    /// allows at least 2 batches of 1,024 rows); more rows mean more memory held and more latency.</summary>
    int RowsInFlight => 8 * 1024;
}

/// <summary>What operators of one job share: connectors, counters, the catalog directory, session settings.</summary>
public sealed class JobContext
{
    /// <summary>Connectors by name, for sources and sinks.</summary>
    public required ConnectorRegistry Connectors { get; init; }
    /// <summary>Directory of the catalog; managed tables keep their data under it.</summary>
    public required string CatalogDirectory { get; init; }
    /// <summary>Rows read, written and skipped, and failed model calls, for progress and the job summary.</summary>
    public JobCounters Counters { get; } = new();
    /// <summary>The session time zone (<c>table.local-time-zone</c>).</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;
    /// <summary>Batch runtime mode: sources bounded, no intermediate results.</summary>
    public bool BatchMode { get; init; }
    /// <summary>How often sinks of an unbounded job commit (Flink's execution.checkpointing.interval).</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>How long a source split (a Kafka partition) may send nothing before the scan's watermark advances
    /// without it (Flink's <c>table.exec.source.idle-timeout</c>; a table's <c>scan.watermark.idle-timeout</c> wins).
    /// Zero: never idle.</summary>
    public TimeSpan SourceIdleTimeout { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>Capacity, in batches, of the channel behind each source (back-pressure bound).</summary>
    public int ChannelCapacity { get; init; } = 8;
    /// <summary>Where the print connector writes (null: standard output).</summary>
    public TextWriter? PrintOutput { get; init; }
    /// <summary>Runtimes of the lateral table functions the engine registered (model inference).</summary>
    public IReadOnlyList<ITableFunctionRuntime> TableFunctions { get; init; } = [];

    /// <summary>Catalog connections by name, for connectors that take one (see <see cref="TableContext.Connections"/>).</summary>
    public Func<string, ConnectorConnection>? Connections { get; init; }

    private CheckpointCoordinator? _checkpoints;

    /// <summary>The job's checkpoints (streaming mode), every <see cref="CheckpointInterval"/>.</summary>
    public CheckpointCoordinator Checkpoints
    {
        get
        {
            if (_checkpoints is null) Interlocked.CompareExchange(ref _checkpoints, new CheckpointCoordinator(CheckpointInterval), null);
            return _checkpoints;
        }
    }
}
