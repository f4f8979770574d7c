using Runnel.Connectors.Abstractions;
using Runnel.Core.Data;
using Runnel.Core.Types;
using Runnel.Sql.Ast;

namespace Runnel.Engine;

/// <summary>The outcome of one statement.</summary>
public abstract class StatementResult(Statement statement)
{
    /// <summary>The statement that produced this result.</summary>
    public Statement Statement { get; } = statement;
}

/// <summary>A statement that only reports success (DDL, SET, ...). <see cref="Message"/> is what Flink's SQL client
/// prints, e.g. <c>Execute statement succeeded.</c></summary>
public sealed class MessageResult(Statement statement, string message) : StatementResult(statement)
{
    /// <summary>The message to show.</summary>
    public string Message { get; } = message;
}

/// <summary>A small, complete table (SHOW, DESCRIBE, SET listing).</summary>
public sealed class TableResult(Statement statement, Schema schema, IReadOnlyList<object?[]> rows) : StatementResult(statement)
{
    /// <summary>The columns.</summary>
    public Schema Schema { get; } = schema;
    /// <summary>The rows, values in column order.</summary>
    public IReadOnlyList<object?[]> Rows { get; } = rows;
}

/// <summary>
/// A running query. <see cref="ReadAsync"/> streams its rows (with their changelog kinds when
/// <see cref="IsUpdating"/>) and may be enumerated once; a bounded query ends by itself, an unbounded one runs
/// until the token is cancelled.
/// </summary>
public sealed class QueryResult(Statement statement, Schema schema, bool isBounded, bool isUpdating, JobCounters counters,
    Func<CancellationToken, IAsyncEnumerable<RowBatch>> run) : StatementResult(statement)
{
    /// <summary>The result columns.</summary>
    public Schema Schema { get; } = schema;
    /// <summary>True when the query ends by itself.</summary>
    public bool IsBounded { get; } = isBounded;
    /// <summary>True when rows carry -U/+U/-D changes rather than only inserts.</summary>
    public bool IsUpdating { get; } = isUpdating;
    /// <summary>Rows read and skipped, failed model calls.</summary>
    public JobCounters Counters { get; } = counters;

    /// <summary>Runs the query and streams its rows; enumerate once.</summary>
    public async IAsyncEnumerable<Row> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var batch in run(cancellationToken).ConfigureAwait(false))
            foreach (var row in batch.Rows)
                yield return row;
    }

    /// <summary>Batches as they come, for callers that show progress.</summary>
    public IAsyncEnumerable<RowBatch> ReadBatchesAsync(CancellationToken cancellationToken = default) => run(cancellationToken);
}

/// <summary>An INSERT (or statement set, or CREATE TABLE AS) submitted as a job.</summary>
public sealed class JobResult(Statement statement, RunnelJob job) : StatementResult(statement)
{
    /// <summary>The submitted job.</summary>
    public RunnelJob Job { get; } = job;
}

/// <summary>The lifecycle state of a <see cref="RunnelJob"/>.</summary>
public enum JobStatus
{
    /// <summary>Still running.</summary>
    Running,
    /// <summary>Its bounded input ended and everything was written.</summary>
    Finished,
    /// <summary>Ended with an error (<see cref="RunnelJob.Error"/>).</summary>
    Failed,
    /// <summary>Stopped on request; sinks committed what they wrote.</summary>
    Canceled,
}

/// <summary>A job running in the engine: its id, counters and completion. <see cref="StopAsync"/> stops it
/// gracefully (sinks commit what they have written).</summary>
public sealed class RunnelJob
{
    private readonly CancellationTokenSource _stop = new();

    private readonly Func<Task<bool>>? _finalCheckpoint;

    /// <summary>How long a graceful stop waits for the final checkpoint of a streaming job.</summary>
    public static readonly TimeSpan FinalCheckpointTimeout = TimeSpan.FromSeconds(10);

    internal RunnelJob(string name, bool isBounded, JobCounters counters, Func<CancellationToken, Task> run, Func<Task<bool>>? finalCheckpoint = null)
    {
        _finalCheckpoint = finalCheckpoint;
        Name = name;
        IsBounded = isBounded;
        Counters = counters;
        Completion = Task.Run(async () =>
        {
            try
            {
                await run(_stop.Token).ConfigureAwait(false);
                Status = _stop.IsCancellationRequested ? JobStatus.Canceled : JobStatus.Finished;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                Status = JobStatus.Canceled;
            }
            catch (Exception e)
            {
                Error = e;
                Status = JobStatus.Failed;
                throw;
            }
        });
    }

    /// <summary>32 hex digits, like a Flink job id.</summary>
    public string Id { get; } = Guid.NewGuid().ToString("N");
    /// <summary>A name like Flink's: <c>insert-into_&lt;table&gt;</c>.</summary>
    public string Name { get; }
    /// <summary>True when every source of the job ends.</summary>
    public bool IsBounded { get; }
    /// <summary>Rows read, written and skipped, and failed model calls.</summary>
    public JobCounters Counters { get; }
    /// <summary>The current state.</summary>
    public JobStatus Status { get; private set; } = JobStatus.Running;
    /// <summary>The error that failed the job, or null.</summary>
    public Exception? Error { get; private set; }
    /// <summary>When the job started.</summary>
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;
    /// <summary>Completes when the job ends; faults with the job's error.</summary>
    public Task Completion { get; }

    /// <summary>Stops the job gracefully and waits for it to end: a streaming job first takes a checkpoint (at most
    /// <see cref="FinalCheckpointTimeout"/>), so sources commit what the sinks acknowledged (a Kafka source's offsets)
    /// and a restart does not read it again; then sinks commit what they wrote.</summary>
    public async Task StopAsync()
    {
        if (_finalCheckpoint is not null && Status == JobStatus.Running)
            await _finalCheckpoint().ConfigureAwait(false);
        await _stop.CancelAsync().ConfigureAwait(false);
        try { await Completion.ConfigureAwait(false); } catch (OperationCanceledException) { }
    }
}
