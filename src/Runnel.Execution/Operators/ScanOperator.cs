using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Runnel.Connectors.Abstractions;
using Runnel.Connectors.Managed;
using Runnel.Core.Data;
using Runnel.Core.Errors;
using Runnel.Core.Options;
using Runnel.Core.Types;
using Runnel.Execution.Expressions;
using Runnel.Execution.Runtime;
using Runnel.Sql.Planning;

namespace Runnel.Execution.Operators;

/// <summary>
/// Reads a table through its connector on a background task that fills a bounded channel (so decoding overlaps with
/// the operators downstream, and a slow pipeline pauses the source). Lays rows out in the table's declared column
/// order, evaluates the computed columns the query uses, applies a pushed-down filter, and emits the watermark of the
/// table's WATERMARK strategy (the maximum seen, never going back; for a source of splits such as Kafka partitions,
/// the smallest over the splits that are not idle — see <see cref="RowBatch.Split"/>); a bounded scan ends with
/// <see cref="Operator.EndOfInput"/>. In streaming mode it puts the job's checkpoint barriers into the stream
/// (<see cref="CheckpointCoordinator"/>), recording the source's position at each.
/// </summary>
public sealed class ScanOperator(LogicalTableScan scan) : Operator(scan.Schema)
{
    /// <inheritdoc />
    public override async IAsyncEnumerable<RowBatch> ExecuteAsync(JobContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = scan.Table;
        var connectorName = table.Table.Connector ?? ManagedTableConnector.ConnectorName;
        if (!context.Connectors.TryGet(connectorName, out var factory))
            throw new RunnelException($"Connector '{connectorName}' of table '{table.Name}' is not available. Available: {string.Join(", ", context.Connectors.Names)}");
        if (!factory.CanRead) throw new RunnelException($"Table '{table.Name}' uses connector '{connectorName}', which can only be written to");

        var physicalIdx = table.PhysicalColumns;
        var metadataIdx = Enumerable.Range(0, table.Schema.Count).Where(i => table.MetadataKeys[i] is not null).ToList();
        var used = scan.UsedColumns;
        var usedPhysical = used is null ? null : physicalIdx.Select((col, p) => (col, p)).Where(x => used.Contains(x.col)).Select(x => x.p).ToHashSet();
        var tableContext = new TableContext
        {
            TableName = table.Name,
            PhysicalSchema = new Schema(physicalIdx.Select(i => table.Schema[i] with { IsRowtime = false }).ToList()),
            MetadataColumns = metadataIdx.Select(i => (table.MetadataKeys[i]!, table.Schema[i].Type)).ToList(),
            Options = table.Table.Options,
            PrimaryKey = table.PrimaryKey,
            Connections = context.Connections,
            Bounded = scan.Bounded,
            UsedColumns = usedPhysical,
            CatalogDirectory = context.CatalogDirectory,
            Counters = context.Counters,
            TimeZone = context.TimeZone,
            CheckpointInterval = context.CheckpointInterval,
            RequestCheckpoint = context.BatchMode ? null : context.Checkpoints.RequestAsync,
        };
        await using var source = factory.CreateSource(tableContext);

        // Where each declared column comes from in the source's row: physical columns, then metadata columns.
        var width = table.Schema.Count;
        var sourcePos = new int[width];
        Array.Fill(sourcePos, -1);
        for (var p = 0; p < physicalIdx.Count; p++) sourcePos[physicalIdx[p]] = p;
        for (var m = 0; m < metadataIdx.Count; m++) sourcePos[metadataIdx[m]] = physicalIdx.Count + m;
        var identity = sourcePos.Select((s, i) => s == i).All(b => b) && sourcePos.Length == physicalIdx.Count + metadataIdx.Count;
        var computed = Enumerable.Range(0, width)
            .Where(i => table.Computed[i] is not null && (used is null || used.Contains(i)))
            .Select(i => (Index: i, Expr: ExpressionCompiler.Compile(table.Computed[i]!))).ToArray();
        var filter = scan.Filter is null ? null : ExpressionCompiler.CompilePredicate(scan.Filter);
        var watermark = table.Watermark is null || context.BatchMode ? null : ExpressionCompiler.Compile(table.Watermark);
        long? currentWatermark = null;
        // Split-aware watermarks (Flink's): per split (a Kafka partition), the watermark it has reached and when it
        // last sent rows; the scan's watermark is the smallest over the splits not idle, and never goes back.
        var idle = (IdleTimeout(table.Table.Options) ?? context.SourceIdleTimeout).Ticks / TimeSpan.TicksPerMillisecond;
        var splits = new Dictionary<object, SplitState>();
        long? SplitWatermark(RowBatch batch, object split, long? max)
        {
            var now = Environment.TickCount64;
            if (batch.SplitEnded) splits.Remove(split);
            else
            {
                if (!splits.TryGetValue(split, out var state)) splits[split] = state = new SplitState { LastRows = now };
                if (max is { } m && (state.Watermark is null || m > state.Watermark)) state.Watermark = m;
                if (batch.Count > 0) state.LastRows = now;
            }
            long? min = null;
            object? holder = null;
            foreach (var (key, state) in splits)
            {
                if (idle > 0 && now - state.LastRows >= idle) continue;
                // An active split without event time yet holds the others back.
                if (state.Watermark is null) return currentWatermark;
                if (min is null || state.Watermark < min) (min, holder) = (state.Watermark, key);
            }
            if (idle == 0 && holder is not null && now - splits[holder].LastRows > 60_000)
                context.Counters.AddWarning($"Table '{table.Name}': the watermark waits for {holder}, which has sent nothing for a minute; " +
                    "set 'scan.watermark.idle-timeout' (or 'table.exec.source.idle-timeout') to let it advance without it");
            return min is { } w && (currentWatermark is null || w > currentWatermark) ? w : currentWatermark;
        }

        var channel = Channel.CreateBounded<RowBatch>(new BoundedChannelOptions(context.ChannelCapacity) { SingleReader = true, SingleWriter = true });
        using var pumpCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in source.ReadAsync(pumpCancel.Token).ConfigureAwait(false))
                    await channel.Writer.WriteAsync(batch, pumpCancel.Token).ConfigureAwait(false);
                channel.Writer.TryComplete();
            }
            catch (Exception e)
            {
                channel.Writer.TryComplete(e);
            }
        }, CancellationToken.None);

        // Streaming mode: put a checkpoint barrier into the stream whenever one falls due, after the rows read so far.
        var committing = context.BatchMode ? null : source as ICommittingSource;
        var checkpoints = context.BatchMode ? null : context.Checkpoints.RegisterScan(committing);
        long lastBarrier = 0;
        object? position = null;
        long? Barrier()
        {
            if (checkpoints is null) return null;
            var due = context.Checkpoints.Due;
            if (due <= lastBarrier) return null;
            lastBarrier = due;
            checkpoints.Barrier(due, position);
            return due;
        }
        try
        {
            while (true)
            {
                var ready = channel.Reader.WaitToReadAsync(cancellationToken).AsTask();
                // A quiet source still passes barriers on, so the sinks downstream commit on time.
                while (checkpoints is not null && !ready.IsCompleted)
                {
                    if (Barrier() is { } id) yield return new RowBatch([], currentWatermark) { Checkpoint = id };
                    await Task.WhenAny(ready, Task.Delay(context.Checkpoints.UntilNext, cancellationToken), context.Checkpoints.Forced).ConfigureAwait(false);
                }
                if (!await ready.ConfigureAwait(false)) break;
                while (channel.Reader.TryRead(out var batch))
                {
                    if (committing is not null && batch.SourcePosition is { } at)
                    {
                        // Given up by the source (a revoked partition): its new owner reads these rows.
                        if (committing.IsStale(at)) continue;
                        position = committing.Advance(position, at);
                    }
                    var output = new List<Row>(batch.Count);
                    long? batchWatermark = null;
                    foreach (var src in batch.Rows)
                    {
                        object?[] values;
                        if (identity && computed.Length == 0) values = src.Values;
                        else
                        {
                            values = new object?[width];
                            for (var i = 0; i < width; i++)
                                if (sourcePos[i] >= 0) values[i] = src.Values[sourcePos[i]];
                            foreach (var (index, expr) in computed) values[index] = expr(values);
                        }
                        if (filter is not null && !filter(values)) continue;
                        if (watermark is not null && watermark(values) is { } wm)
                        {
                            var ms = ToMillis(wm);
                            if (batchWatermark is null || ms > batchWatermark) batchWatermark = ms;
                        }
                        output.Add(ReferenceEquals(values, src.Values) ? src : new Row(values, src.Kind));
                    }
                    if (watermark is not null)
                        currentWatermark = batch.Split is { } split ? SplitWatermark(batch, split, batchWatermark)
                            : batchWatermark is { } b && (currentWatermark is null || b > currentWatermark) ? b : currentWatermark;
                    yield return new RowBatch(output, currentWatermark) { Checkpoint = Barrier() };
                }
            }
            await pump.ConfigureAwait(false);
        }
        finally
        {
            await pumpCancel.CancelAsync().ConfigureAwait(false);
            try { await pump.ConfigureAwait(false); } catch (OperationCanceledException) { }
        }
        // No more barriers from this scan (a union downstream stops waiting for it).
        yield return new RowBatch([], EndOfInput) { Checkpoint = long.MaxValue };
    }

    /// <summary>A table's <c>scan.watermark.idle-timeout</c> (Flink's table option), or null.</summary>
    private static TimeSpan? IdleTimeout(IReadOnlyDictionary<string, string> options)
    {
        foreach (var (key, value) in options)
            if (key.Equals("scan.watermark.idle-timeout", StringComparison.OrdinalIgnoreCase) && Durations.TryParse(value, out var d))
                return d;
        return null;
    }

    /// <summary>Where one source split stands: its watermark (null until it has event time) and when it last sent
    /// rows (<see cref="Environment.TickCount64"/>).</summary>
    private sealed class SplitState
    {
        public long? Watermark;
        public long LastRows;
    }
}
