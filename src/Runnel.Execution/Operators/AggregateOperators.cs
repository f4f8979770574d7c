using System.Runtime.CompilerServices;
using Runnel.Core.Data;
using Runnel.Core.Types;
using Runnel.Execution.Runtime;
using Runnel.Sql.Functions;
using Runnel.Sql.Planning;

namespace Runnel.Execution.Operators;

/// <summary>Per-group accumulators of one aggregate node.</summary>
internal sealed class GroupState(IAccumulator[] accumulators)
{
    public IAccumulator[] Accumulators { get; } = accumulators;
    public long Count;
    public object?[]? Emitted;
}

internal static class AggregateSupport
{
    public static GroupState NewState(IReadOnlyList<AggregateCall> calls, Schema input) =>
        new(calls.Select(c => c.Function.Create(c.Args.Select(a => input[a].Type).ToList(), c.Type, c.Distinct)).ToArray());

    /// <summary>The value an aggregate call accumulates for a row: the argument, a ROW of several, or TRUE for COUNT(*).</summary>
    public static object? Argument(AggregateCall call, object?[] row) => call.Args.Count switch
    {
        0 => true,
        1 => row[call.Args[0]],
        _ => new RowValue(call.Args.Select(a => row[a]).ToArray()),
    };

    public static void Apply(GroupState state, IReadOnlyList<AggregateCall> calls, Row row)
    {
        var add = row.Kind.IsAccumulate();
        for (var i = 0; i < calls.Count; i++)
        {
            var v = Argument(calls[i], row.Values);
            if (add) state.Accumulators[i].Accumulate(v);
            else state.Accumulators[i].Retract(v);
        }
        state.Count += add ? 1 : -1;
    }

    public static object?[] Result(object?[] key, GroupState state)
    {
        var values = new object?[key.Length + state.Accumulators.Length];
        Array.Copy(key, values, key.Length);
        for (var i = 0; i < state.Accumulators.Length; i++) values[key.Length + i] = state.Accumulators[i].GetValue();
        return values;
    }
}

/// <summary>
/// Streaming GROUP BY. Keeps accumulators per key; after each input batch emits, for each key the batch touched,
/// the change of its result row: <c>+I</c> for a new group, <c>-U</c>/<c>+U</c> for a changed one, <c>-D</c> when a
/// group's last row was retracted (Flink's changelog with mini-batch folding: one change per key per batch).
/// </summary>
public sealed class GroupAggregateOperator(Operator input, LogicalAggregate node) : Operator(node.Schema)
{
    /// <inheritdoc />
    public override async IAsyncEnumerable<RowBatch> ExecuteAsync(JobContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var keys = node.GroupKeys.ToArray();
        var calls = node.Aggregates;
        var states = new Dictionary<object?[], GroupState>(KeyComparer.Instance);
        await foreach (var batch in input.ExecuteAsync(context, cancellationToken).ConfigureAwait(false))
        {
            var touched = new List<object?[]>();
            var touchedSet = new HashSet<object?[]>(KeyComparer.Instance);
            foreach (var row in batch.Rows)
            {
                var key = new object?[keys.Length];
                for (var i = 0; i < keys.Length; i++) key[i] = row.Values[keys[i]];
                if (!states.TryGetValue(key, out var state))
                {
                    if (!row.Kind.IsAccumulate()) continue;
                    state = AggregateSupport.NewState(calls, node.Input.Schema);
                    states[key] = state;
                }
                AggregateSupport.Apply(state, calls, row);
                if (touchedSet.Add(key)) touched.Add(key);
            }
            var output = new List<Row>();
            foreach (var key in touched)
            {
                var state = states[key];
                if (state.Count <= 0)
                {
                    if (state.Emitted is not null) output.Add(new Row(state.Emitted, RowKind.Delete));
                    states.Remove(key);
                    continue;
                }
                var result = AggregateSupport.Result(key, state);
                if (state.Emitted is null) output.Add(new Row(result, RowKind.Insert));
                else if (!KeyComparer.Instance.Equals(state.Emitted, result))
                {
                    output.Add(new Row(state.Emitted, RowKind.UpdateBefore));
                    output.Add(new Row(result, RowKind.UpdateAfter));
                }
                state.Emitted = result;
            }
            yield return new RowBatch(output, batch.Watermark);
        }
    }
}

/// <summary>Batch GROUP BY: accumulates the whole input and emits one final row per group at the end (one row for a
/// global aggregate even over empty input, as SQL requires).</summary>
public sealed class HashAggregateOperator(Operator input, LogicalAggregate node) : Operator(node.Schema)
{
    /// <inheritdoc />
    public override async IAsyncEnumerable<RowBatch> ExecuteAsync(JobContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var keys = node.GroupKeys.ToArray();
        var calls = node.Aggregates;
        var states = new Dictionary<object?[], GroupState>(KeyComparer.Instance);
        var order = new List<object?[]>();
        await foreach (var batch in input.ExecuteAsync(context, cancellationToken).ConfigureAwait(false))
        {
            foreach (var row in batch.Rows)
            {
                var key = new object?[keys.Length];
                for (var i = 0; i < keys.Length; i++) key[i] = row.Values[keys[i]];
                if (!states.TryGetValue(key, out var state))
                {
                    state = AggregateSupport.NewState(calls, node.Input.Schema);
                    states[key] = state;
                    order.Add(key);
                }
                AggregateSupport.Apply(state, calls, row);
            }
        }
        if (keys.Length == 0 && states.Count == 0)
        {
            states[[]] = AggregateSupport.NewState(calls, node.Input.Schema);
            order.Add([]);
        }
        var output = order.Where(k => keys.Length == 0 || states[k].Count > 0).Select(k => new Row(AggregateSupport.Result(k, states[k]))).ToList();
        yield return new RowBatch(output, EndOfInput);
    }
}

/// <summary>Window TVF (TUMBLE/HOP/CUMULATE): appends window_start, window_end and window_time to each row, once per
/// window the row's event time falls in. Rows with a NULL time are dropped, as in Flink.</summary>
public sealed class WindowTableFunctionOperator(Operator input, LogicalWindowTableFunction node) : Operator(node.Schema)
{
    /// <inheritdoc />
    public override async IAsyncEnumerable<RowBatch> ExecuteAsync(JobContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var spec = node.Window;
        var n = node.Input.Schema.Count;
        await foreach (var batch in input.ExecuteAsync(context, cancellationToken).ConfigureAwait(false))
        {
            var output = new List<Row>();
            foreach (var row in batch.Rows)
            {
                if (row.Values[spec.TimeColumn] is not { } t) continue;
                foreach (var (start, end) in Windows.Assign(spec, ToMillis(t)))
                {
                    var values = new object?[n + 3];
                    Array.Copy(row.Values, values, n);
                    values[n] = FromMillis(start);
                    values[n + 1] = FromMillis(end);
                    values[n + 2] = WindowTime(end, node.Input.Schema[spec.TimeColumn].Type);
                    output.Add(new Row(values, row.Kind));
                }
            }
            yield return new RowBatch(output, batch.Watermark) { Checkpoint = batch.Checkpoint };
        }
    }

    internal static object WindowTime(long end, SqlType timeType) =>
        timeType.Kind == TypeKind.TimestampLtz ? DateTimeOffset.FromUnixTimeMilliseconds(end - 1) : FromMillis(end - 1);
}

internal static class Windows
{
    /// <summary>The [start, end) windows in ms that an event time belongs to.</summary>
    public static IEnumerable<(long Start, long End)> Assign(WindowSpec spec, long t)
    {
        switch (spec.Kind)
        {
            case WindowKind.Tumble:
            {
                var start = t - Mod(t - spec.OffsetMs, spec.SizeMs);
                yield return (start, start + spec.SizeMs);
                break;
            }
            case WindowKind.Hop:
            {
                var lastStart = t - Mod(t - spec.OffsetMs, spec.SlideMs);
                for (var start = lastStart; start > t - spec.SizeMs; start -= spec.SlideMs)
                    yield return (start, start + spec.SizeMs);
                break;
            }
            default:
            {
                var start = t - Mod(t - spec.OffsetMs, spec.SizeMs);
                for (var end = start + spec.SlideMs; end <= start + spec.SizeMs; end += spec.SlideMs)
                    if (t < end) yield return (start, end);
                break;
            }
        }
    }

    private static long Mod(long a, long b) => ((a % b) + b) % b;
}

/// <summary>
/// GROUP BY window_start, window_end over a window TVF: accumulates rows per (window, key) and emits a window's rows
/// once the watermark reaches its end (or at end of input), then drops its state. Output is append-only; rows that
/// arrive for a window already emitted are late and dropped, as in Flink, and counted
/// (<see cref="Connectors.Abstractions.JobCounters.LateRowsDropped"/>).
/// </summary>
public sealed class WindowAggregateOperator(Operator input, LogicalWindowAggregate node) : Operator(node.Schema)
{
    /// <inheritdoc />
    public override async IAsyncEnumerable<RowBatch> ExecuteAsync(JobContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var spec = node.Window;
        var keys = node.GroupKeys.ToArray();
        var calls = node.Aggregates;
        var timeType = node.Input.Schema[spec.TimeColumn].Type;
        var windows = new SortedDictionary<(long End, long Start), Dictionary<object?[], GroupState>>();
        long watermark = long.MinValue;
        await foreach (var batch in input.ExecuteAsync(context, cancellationToken).ConfigureAwait(false))
        {
            foreach (var row in batch.Rows)
            {
                if (row.Values[spec.TimeColumn] is not { } t) continue;
                var key = new object?[keys.Length];
                for (var i = 0; i < keys.Length; i++) key[i] = row.Values[keys[i]];
                var late = false;
                foreach (var (start, end) in Windows.Assign(spec, ToMillis(t)))
                {
                    if (end <= watermark)
                    {
                        late = true;
                        continue;
                    }
                    if (!windows.TryGetValue((end, start), out var groups))
                        windows[(end, start)] = groups = new Dictionary<object?[], GroupState>(KeyComparer.Instance);
                    if (!groups.TryGetValue(key, out var state)) groups[key] = state = AggregateSupport.NewState(calls, node.Input.Schema);
                    AggregateSupport.Apply(state, calls, row);
                }
                if (late) context.Counters.AddLateRow();
            }
            var output = new List<Row>();
            if (batch.Watermark is { } wm && wm > watermark)
            {
                watermark = wm;
                while (windows.Count > 0)
                {
                    var first = windows.First();
                    if (first.Key.End > watermark) break;
                    foreach (var (key, state) in first.Value)
                    {
                        if (state.Count <= 0) continue;
                        var values = new object?[keys.Length + 3 + calls.Count];
                        Array.Copy(key, values, keys.Length);
                        values[keys.Length] = FromMillis(first.Key.Start);
                        values[keys.Length + 1] = FromMillis(first.Key.End);
                        values[keys.Length + 2] = WindowTableFunctionOperator.WindowTime(first.Key.End, timeType);
                        for (var i = 0; i < calls.Count; i++) values[keys.Length + 3 + i] = state.Accumulators[i].GetValue();
                        output.Add(new Row(values));
                    }
                    windows.Remove(first.Key);
                }
            }
            yield return new RowBatch(output, batch.Watermark);
        }
    }
}
