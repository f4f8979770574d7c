using Runnel.Execution.Runtime;
using System.Runtime.CompilerServices;
using Runnel.Core.Data;
using Runnel.Core.Types;
using Runnel.Execution.Expressions;
using Runnel.Sql.Binding;
using Runnel.Sql.Planning;


namespace Runnel.Execution.Operators;

/// <summary>VALUES: evaluates each row once.</summary>
public sealed class ValuesOperator(LogicalValues values) : Operator(values.Schema)
{
    /// <inheritdoc />
    public override async IAsyncEnumerable<RowBatch> ExecuteAsync(JobContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var empty = Array.Empty<object?>();
        var rows = values.Rows.Select(r => new Row(r.Select(e => ExpressionCompiler.Compile(e)(empty)).ToArray())).ToList();
        context.Counters.AddRead(values.Schema.Count == 0 ? 0 : rows.Count);
        await Task.Yield();
        yield return new RowBatch(rows, EndOfInput);
    }
}

/// <summary>A fused filter and projection; row kinds, watermarks and checkpoint barriers pass through.</summary>
public sealed class CalcOperator(Operator input, BoundExpr? condition, IReadOnlyList<BoundExpr>? projection, Schema schema) : Operator(schema)
{
    /// <inheritdoc />
    public override async IAsyncEnumerable<RowBatch> ExecuteAsync(JobContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = condition is null ? null : ExpressionCompiler.CompilePredicate(condition);
        var exprs = projection?.Select(ExpressionCompiler.Compile).ToArray();
        // A projection that only reorders or drops columns copies values without calling closures.
        var refs = projection is not null && projection.All(p => p is BoundInputRef) ? projection.Select(p => ((BoundInputRef)p).Index).ToArray() : null;
        await foreach (var batch in input.ExecuteAsync(context, cancellationToken).ConfigureAwait(false))
        {
            var output = new List<Row>(batch.Count);
            foreach (var row in batch.Rows)
            {
                if (filter is not null && !filter(row.Values)) continue;
                if (exprs is null) { output.Add(row); continue; }
                var values = new object?[exprs.Length];
                if (refs is not null)
                    for (var i = 0; i < refs.Length; i++) values[i] = row.Values[refs[i]];
                else
                    for (var i = 0; i < exprs.Length; i++) values[i] = exprs[i](row.Values);
                output.Add(new Row(values, row.Kind));
            }
            yield return new RowBatch(output, batch.Watermark) { Checkpoint = batch.Checkpoint };
        }
    }
}

/// <summary>UNION ALL: reads all inputs concurrently; the watermark is the minimum of the inputs' watermarks, and a
/// checkpoint barrier passes once every input has passed it.</summary>
public sealed class UnionOperator(IReadOnlyList<Operator> inputs, Schema schema) : Operator(schema)
{
    /// <inheritdoc />
    public override IAsyncEnumerable<RowBatch> ExecuteAsync(JobContext context, CancellationToken cancellationToken)
    {
        var barriers = new long[inputs.Count];
        long passed = 0;
        return Merge.ReadAllAsync(inputs, context, cancellationToken, (side, batch, watermarks) =>
        {
            if (batch.Watermark is { } w) watermarks[side] = w;
            var min = watermarks.All(x => x is not null) ? watermarks.Min() : null;
            long? checkpoint = null;
            if (batch.Checkpoint is { } c && c > barriers[side])
            {
                barriers[side] = c;
                if (barriers.Min() > passed) checkpoint = passed = barriers.Min();
            }
            return new RowBatch(batch.Rows, min) { Checkpoint = checkpoint };
        });
    }
}

/// <summary>Runs several operators concurrently and interleaves their batches in arrival order.</summary>
internal static class Merge
{
    public static async IAsyncEnumerable<RowBatch> ReadAllAsync(IReadOnlyList<Operator> inputs, JobContext context,
        [EnumeratorCancellation] CancellationToken cancellationToken, Func<int, RowBatch, long?[], RowBatch> map)
    {
        var channel = System.Threading.Channels.Channel.CreateBounded<(int Side, RowBatch Batch)>(context.ChannelCapacity);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var remaining = inputs.Count;
        var tasks = inputs.Select((op, side) => Task.Run(async () =>
        {
            try
            {
                await foreach (var b in op.ExecuteAsync(context, cts.Token).ConfigureAwait(false))
                    await channel.Writer.WriteAsync((side, b), cts.Token).ConfigureAwait(false);
                if (Interlocked.Decrement(ref remaining) == 0) channel.Writer.TryComplete();
            }
            catch (Exception e)
            {
                channel.Writer.TryComplete(e);
            }
        }, CancellationToken.None)).ToArray();
        var watermarks = new long?[inputs.Count];
        try
        {
            await foreach (var (side, batch) in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                yield return map(side, batch, watermarks);
        }
        finally
        {
            await cts.CancelAsync().ConfigureAwait(false);
            try { await Task.WhenAll(tasks).ConfigureAwait(false); } catch (OperationCanceledException) { }
        }
    }
}

/// <summary>LIMIT [OFFSET] without ORDER BY: passes the first rows and then stops reading its input.</summary>
public sealed class LimitOperator(Operator input, long? limit, long offset) : Operator(input.Schema)
{
    /// <inheritdoc />
    public override async IAsyncEnumerable<RowBatch> ExecuteAsync(JobContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long seen = 0;
        var end = limit is null ? long.MaxValue : offset + limit.Value;
        if (end == 0) yield break;
        await foreach (var batch in input.ExecuteAsync(context, cancellationToken).ConfigureAwait(false))
        {
            var output = new List<Row>();
            foreach (var row in batch.Rows)
            {
                if (seen >= offset && seen < end) output.Add(row);
                seen++;
            }
            yield return new RowBatch(output, batch.Watermark);
            if (seen >= end) yield break;
        }
    }
}

/// <summary>ORDER BY [LIMIT] on a bounded input: sorts everything at end of input (NULL ordering per key).</summary>
public sealed class SortOperator(Operator input, IReadOnlyList<SortKey> keys, long? limit, long offset) : Operator(input.Schema)
{
    /// <inheritdoc />
    public override async IAsyncEnumerable<RowBatch> ExecuteAsync(JobContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var rows = new List<Row>();
        await foreach (var batch in input.ExecuteAsync(context, cancellationToken).ConfigureAwait(false))
            foreach (var row in batch.Rows)
            {
                if (row.Kind.IsAccumulate()) rows.Add(row.WithKind(RowKind.Insert));
                else RemoveOne(rows, row);
            }
        var comparer = new RowComparer(keys);
        var sorted = rows.Order(comparer).Skip((int)Math.Min(offset, int.MaxValue));
        if (limit is not null) sorted = sorted.Take((int)Math.Min(limit.Value, int.MaxValue));
        yield return new RowBatch(sorted.ToList(), EndOfInput);
    }

    internal static void RemoveOne(List<Row> rows, Row retraction)
    {
        var i = rows.FindIndex(r => KeyComparer.Instance.Equals(r.Values, retraction.Values));
        if (i >= 0) rows.RemoveAt(i);
    }
}

/// <summary>Orders rows by sort keys with per-key direction and NULL placement.</summary>
public sealed class RowComparer(IReadOnlyList<SortKey> keys) : IComparer<Row>
{
    /// <inheritdoc />
    public int Compare(Row? x, Row? y)
    {
        foreach (var k in keys)
        {
            var a = x!.Values[k.Column];
            var b = y!.Values[k.Column];
            int c;
            if (a is null || b is null) c = a is null && b is null ? 0 : (a is null) == k.NullsFirst ? -1 : 1;
            else
            {
                c = ValueComparer.Instance.Compare(a, b);
                if (k.Descending) c = -c;
            }
            if (c != 0) return c;
        }
        return 0;
    }
}

/// <summary>Streaming ORDER BY .. LIMIT n (Top-N): keeps every row, and after each input batch emits the change to
/// the top n as -D / +I rows.</summary>
public sealed class TopNOperator(Operator input, IReadOnlyList<SortKey> keys, long limit, long offset) : Operator(input.Schema)
{
    /// <inheritdoc />
    public override async IAsyncEnumerable<RowBatch> ExecuteAsync(JobContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var comparer = new RowComparer(keys);
        var all = new List<Row>();
        var emitted = new List<Row>();
        await foreach (var batch in input.ExecuteAsync(context, cancellationToken).ConfigureAwait(false))
        {
            if (batch.Count == 0) { yield return new RowBatch([], batch.Watermark); continue; }
            foreach (var row in batch.Rows)
            {
                if (row.Kind.IsAccumulate())
                {
                    var r = row.WithKind(RowKind.Insert);
                    var at = all.BinarySearch(r, comparer);
                    all.Insert(at < 0 ? ~at : at, r);
                }
                else SortOperator.RemoveOne(all, row);
            }
            var top = all.Skip((int)offset).Take((int)limit).ToList();
            var output = new List<Row>();
            foreach (var old in emitted)
                if (!top.Any(t => ReferenceEquals(t, old))) output.Add(old.WithKind(RowKind.Delete));
            foreach (var t in top)
                if (!emitted.Any(e => ReferenceEquals(e, t))) output.Add(t);
            emitted = top;
            yield return new RowBatch(output, batch.Watermark);
        }
    }
}
