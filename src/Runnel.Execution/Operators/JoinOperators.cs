using System.Runtime.CompilerServices;
using Runnel.Core.Data;
using Runnel.Execution.Expressions;
using Runnel.Execution.Runtime;
using Runnel.Sql.Planning;

namespace Runnel.Execution.Operators;

/// <summary>
/// Streaming equi-join: both inputs are read concurrently and kept in keyed state; each arriving row is joined with
/// the other side's state. Outer joins emit a NULL-padded row while a row has no match and retract it (<c>-D</c>)
/// when the first match arrives, as Flink's regular join does. Retractions from an updating input retract the joined
/// rows they produced. NULL keys never match.
/// </summary>
public sealed class StreamingJoinOperator(Operator left, Operator right, LogicalJoin node) : Operator(node.Schema)
{
    private sealed class Entry(Row row)
    {
        public Row Row { get; } = row;
        public int Matches;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<RowBatch> ExecuteAsync(JobContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var leftWidth = node.Left.Schema.Count;
        var rightWidth = node.Right.Schema.Count;
        var residual = node.Residual is null ? null : ExpressionCompiler.CompilePredicate(node.Residual);
        var leftOuter = node.Kind is LogicalJoinKind.Left or LogicalJoinKind.Full;
        var rightOuter = node.Kind is LogicalJoinKind.Right or LogicalJoinKind.Full;
        var state = new[] { new Dictionary<object?[], List<Entry>>(KeyComparer.Instance), new Dictionary<object?[], List<Entry>>(KeyComparer.Instance) };
        var keyCols = new[] { node.LeftKeys.ToArray(), node.RightKeys.ToArray() };

        object?[] Combine(object?[]? l, object?[]? r) => JoinRows.Combine(l, r, leftWidth, rightWidth);

        await foreach (var batch in Merge.ReadAllAsync([left, right], context, cancellationToken, (side, b, wms) =>
        {
            if (b.Watermark is { } w) wms[side] = w;
            return new SideBatch(side, b.Rows, wms.All(x => x is not null) ? wms.Min() : null);
        }).WithSide(cancellationToken).ConfigureAwait(false))
        {
            var (side, rows, watermark) = batch;
            var other = 1 - side;
            var thisOuter = side == 0 ? leftOuter : rightOuter;
            var otherOuter = side == 0 ? rightOuter : leftOuter;
            var output = new List<Row>();
            foreach (var row in rows)
            {
                var key = new object?[keyCols[side].Length];
                var nullKey = false;
                for (var i = 0; i < key.Length; i++)
                {
                    key[i] = row.Values[keyCols[side][i]];
                    nullKey |= key[i] is null;
                }
                object?[] Joined(object?[] otherValues) => side == 0 ? Combine(row.Values, otherValues) : Combine(otherValues, row.Values);
                object?[] Padded(object?[] values, int s) => s == 0 ? Combine(values, null) : Combine(null, values);
                var matches = new List<Entry>();
                if (!nullKey && state[other].TryGetValue(key, out var candidates))
                    foreach (var c in candidates)
                        if (residual is null || residual(Joined(c.Row.Values))) matches.Add(c);
                if (row.Kind.IsAccumulate())
                {
                    if (matches.Count == 0 && thisOuter) output.Add(new Row(Padded(row.Values, side)));
                    foreach (var m in matches)
                    {
                        if (otherOuter && m.Matches == 0) output.Add(new Row(Padded(m.Row.Values, other), RowKind.Delete));
                        m.Matches++;
                        output.Add(new Row(Joined(m.Row.Values)));
                    }
                    if (!nullKey || thisOuter)
                    {
                        if (!state[side].TryGetValue(key, out var list)) state[side][key] = list = [];
                        list.Add(new Entry(row.WithKind(RowKind.Insert)) { Matches = matches.Count });
                    }
                }
                else
                {
                    if (state[side].TryGetValue(key, out var list))
                    {
                        var idx = list.FindIndex(e => KeyComparer.Instance.Equals(e.Row.Values, row.Values));
                        if (idx >= 0) list.RemoveAt(idx);
                        if (list.Count == 0) state[side].Remove(key);
                    }
                    if (matches.Count == 0 && thisOuter) output.Add(new Row(Padded(row.Values, side), RowKind.Delete));
                    foreach (var m in matches)
                    {
                        output.Add(new Row(Joined(m.Row.Values), RowKind.Delete));
                        m.Matches--;
                        if (otherOuter && m.Matches == 0) output.Add(new Row(Padded(m.Row.Values, other)));
                    }
                }
            }
            yield return new RowBatch(output, watermark);
        }
    }
}

internal static class JoinRows
{
    /// <summary>A joined row: left values then right values; a null side is padded with NULLs.</summary>
    public static object?[] Combine(object?[]? left, object?[]? right, int leftWidth, int rightWidth)
    {
        var v = new object?[leftWidth + rightWidth];
        if (left is not null) Array.Copy(left, v, leftWidth);
        if (right is not null) Array.Copy(right, 0, v, leftWidth, rightWidth);
        return v;
    }
}

internal static class MergeExtensions
{
    /// <summary>Recovers the side of each merged batch (Merge tags it through a wrapper).</summary>
    public static async IAsyncEnumerable<(int Side, IReadOnlyList<Row> Rows, long? Watermark)> WithSide(this IAsyncEnumerable<RowBatch> merged,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var b in merged.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var side = b is SideBatch s ? s.Side : 0;
            yield return (side, b.Rows, b.Watermark);
        }
    }
}

/// <summary>A batch tagged with the input it came from.</summary>
internal sealed class SideBatch(int side, IReadOnlyList<Row> rows, long? watermark) : RowBatch(rows, watermark)
{
    public int Side { get; } = side;
}

/// <summary>Batch equi-join: builds a hash table of the right input, then streams the left input through it; for
/// right and full outer joins the unmatched right rows follow at the end.</summary>
public sealed class HashJoinOperator(Operator left, Operator right, LogicalJoin node) : Operator(node.Schema)
{
    /// <inheritdoc />
    public override async IAsyncEnumerable<RowBatch> ExecuteAsync(JobContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var leftWidth = node.Left.Schema.Count;
        var rightWidth = node.Right.Schema.Count;
        var residual = node.Residual is null ? null : ExpressionCompiler.CompilePredicate(node.Residual);
        var leftOuter = node.Kind is LogicalJoinKind.Left or LogicalJoinKind.Full;
        var rightOuter = node.Kind is LogicalJoinKind.Right or LogicalJoinKind.Full;
        var table = new Dictionary<object?[], List<(Row Row, bool[] Matched)>>(KeyComparer.Instance);
        var all = new List<(Row Row, bool[] Matched)>();
        await foreach (var batch in right.ExecuteAsync(context, cancellationToken).ConfigureAwait(false))
            foreach (var row in batch.Rows)
            {
                var entry = (row, new bool[1]);
                all.Add(entry);
                var key = node.RightKeys.Select(k => row.Values[k]).ToArray();
                if (key.Any(k => k is null)) continue;
                if (!table.TryGetValue(key, out var list)) table[key] = list = [];
                list.Add(entry);
            }
        object?[] Combine(object?[]? l, object?[]? r) => JoinRows.Combine(l, r, leftWidth, rightWidth);
        await foreach (var batch in left.ExecuteAsync(context, cancellationToken).ConfigureAwait(false))
        {
            var output = new List<Row>();
            foreach (var row in batch.Rows)
            {
                var key = node.LeftKeys.Select(k => row.Values[k]).ToArray();
                var matched = false;
                if (!key.Any(k => k is null) && table.TryGetValue(key, out var candidates))
                    foreach (var (r, flag) in candidates)
                    {
                        var joined = Combine(row.Values, r.Values);
                        if (residual is not null && !residual(joined)) continue;
                        matched = true;
                        flag[0] = true;
                        output.Add(new Row(joined));
                    }
                if (!matched && leftOuter) output.Add(new Row(Combine(row.Values, null)));
            }
            yield return new RowBatch(output, batch.Watermark);
        }
        if (rightOuter)
            yield return new RowBatch(all.Where(e => !e.Matched[0]).Select(e => new Row(Combine(null, e.Row.Values))).ToList(), EndOfInput);
    }
}
