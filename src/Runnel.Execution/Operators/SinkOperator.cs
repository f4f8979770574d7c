using System.Runtime.CompilerServices;
using Runnel.Connectors.Abstractions;
using Runnel.Connectors.Managed;
using Runnel.Core.Data;
using Runnel.Core.Errors;
using Runnel.Core.Types;
using Runnel.Execution.Runtime;
using Runnel.Sql.Planning;

namespace Runnel.Execution.Operators;

/// <summary>
/// INSERT INTO: writes its input to the table's connector. An unbounded job commits when a checkpoint barrier arrives
/// (and acknowledges it to the <see cref="CheckpointCoordinator"/>, so sources commit their positions) and at least
/// every checkpoint interval; the
/// sink is finished (everything written made visible) at the end of a bounded input or when the job is stopped
/// gracefully; on failure it is disposed without finishing, so a file sink leaves no half-written file visible.
/// Yields no rows, only progress (empty batches).
/// </summary>
public sealed class SinkOperator(Operator input, LogicalSink node) : Operator(node.Schema)
{
    /// <inheritdoc />
    public override async IAsyncEnumerable<RowBatch> ExecuteAsync(JobContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = node.Target;
        var connectorName = table.Table.Connector ?? ManagedTableConnector.ConnectorName;
        if (!context.Connectors.TryGet(connectorName, out var factory))
            throw new RunnelException($"Connector '{connectorName}' of table '{table.Name}' is not available");
        if (!factory.CanWrite) throw new RunnelException($"Table '{table.Name}' uses connector '{connectorName}', which can only be read");
        if (node.Overwrite && connectorName is not ("filesystem" or "blackhole" or "print"))
            throw new RunnelException($"INSERT OVERWRITE is not supported for connector '{connectorName}' (table '{table.Name}')");
        // The input holds the writable columns in declared order; the sink takes physical columns, then metadata.
        var writable = table.WritableColumns;
        var physical = table.PhysicalColumns;
        var metadata = writable.Where(i => table.MetadataKeys[i] is not null).ToList();
        var order = physical.Concat(metadata).Select(c => writable.ToList().IndexOf(c)).ToArray();
        var identity = order.Select((o, i) => o == i).All(b => b);
        await using var sink = factory.CreateSink(new TableContext
        {
            TableName = table.Name,
            PhysicalSchema = new Schema(physical.Select(i => table.Schema[i] with { IsRowtime = false }).ToList()),
            MetadataColumns = metadata.Select(i => (table.MetadataKeys[i]!, table.Schema[i].Type)).ToList(),
            Options = table.Table.Options,
            PrimaryKey = table.PrimaryKey,
            Connections = context.Connections,
            CatalogDirectory = context.CatalogDirectory,
            Counters = context.Counters,
            TimeZone = context.TimeZone,
            CheckpointInterval = context.CheckpointInterval,
            Output = context.PrintOutput,
            Overwrite = node.Overwrite,
        });
        var lastCheckpoint = DateTime.UtcNow;
        var sinkIndex = context.BatchMode ? -1 : context.Checkpoints.RegisterSink();
        var stopped = false;
        var enumerator = input.ExecuteAsync(context, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                RowBatch batch;
                try
                {
                    var next = enumerator.MoveNextAsync().AsTask();
                    // Checkpoints are timer-driven: a quiet input must not keep written rows uncommitted.
                    while (!context.BatchMode && !next.IsCompleted && !cancellationToken.IsCancellationRequested)
                    {
                        var due = lastCheckpoint + context.CheckpointInterval - DateTime.UtcNow;
                        if (due > TimeSpan.Zero && await Task.WhenAny(next, Task.Delay(due, cancellationToken)).ConfigureAwait(false) == next) break;
                        if (next.IsCompleted) break;
                        await sink.CheckpointAsync(CancellationToken.None).ConfigureAwait(false);
                        lastCheckpoint = DateTime.UtcNow;
                    }
                    if (!await next.ConfigureAwait(false)) break;
                    batch = enumerator.Current;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    stopped = true;
                    break;
                }
                if (batch.Count > 0)
                {
                    var rows = identity ? batch.Rows : batch.Rows.Select(r => new Row(order.Select(o => r.Values[o]).ToArray(), r.Kind)).ToList();
                    await sink.WriteAsync(new RowBatch(rows, batch.Watermark), CancellationToken.None).ConfigureAwait(false);
                }
                if (batch.Checkpoint is { } barrier && barrier != long.MaxValue && sinkIndex >= 0)
                {
                    // Every row before the barrier is written: make it durable, then let the sources commit.
                    await sink.CheckpointAsync(CancellationToken.None).ConfigureAwait(false);
                    lastCheckpoint = DateTime.UtcNow;
                    context.Checkpoints.Acknowledge(sinkIndex, barrier);
                }
                else if (!context.BatchMode && DateTime.UtcNow - lastCheckpoint >= context.CheckpointInterval)
                {
                    await sink.CheckpointAsync(CancellationToken.None).ConfigureAwait(false);
                    lastCheckpoint = DateTime.UtcNow;
                }
                yield return new RowBatch([], batch.Watermark);
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
        // Reached on normal completion and on a graceful stop: commit what was written.
        await sink.FinishAsync(CancellationToken.None).ConfigureAwait(false);
        if (stopped) yield break;
    }
}
