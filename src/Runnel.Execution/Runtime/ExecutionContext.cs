using Runnel.Connectors.Abstractions;
using Runnel.Sql.Planning;

namespace Runnel.Execution.Runtime;

/// <summary>Runs a lateral table function (other than UNNEST) for one input row: the rows it returns. Registered by
/// the layer that binds the function (model inference functions plug in here).</summary>
public interface ITableFunctionRuntime
{
    IReadOnlyCollection<string> Names { get; }

    /// <summary>Creates the per-operator evaluator. The evaluator receives a batch of argument tuples and returns,
    /// for each, its output rows (each an array of the function's columns), in order.</summary>
    ITableFunctionEvaluator Create(TableFunctionCall call, JobContext context);
}

/// <summary>Evaluates a table function over a batch of argument tuples.</summary>
public interface ITableFunctionEvaluator : IAsyncDisposable
{
    Task<IReadOnlyList<IReadOnlyList<object?[]>>> EvaluateAsync(IReadOnlyList<object?[]> arguments, CancellationToken cancellationToken);
}

/// <summary>What operators of one job share: connectors, counters, the catalog directory, session settings.</summary>
public sealed class JobContext
{
    public required ConnectorRegistry Connectors { get; init; }
    public required string CatalogDirectory { get; init; }
    public JobCounters Counters { get; } = new();
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;
    /// <summary>Batch runtime mode: sources bounded, no intermediate results.</summary>
    public bool BatchMode { get; init; }
    /// <summary>How often sinks of an unbounded job commit (Flink's execution.checkpointing.interval).</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Capacity, in batches, of the channel behind each source (back-pressure bound).</summary>
    public int ChannelCapacity { get; init; } = 8;
    public TextWriter? PrintOutput { get; init; }
    public IReadOnlyList<ITableFunctionRuntime> TableFunctions { get; init; } = [];
}
