namespace Runnel.Core.Data;

/// <summary>The kind of change a row carries in a changelog, as Flink's <c>RowKind</c>.</summary>
public enum RowKind : byte
{
    /// <summary><c>+I</c>: a new row.</summary>
    Insert,
    /// <summary><c>-U</c>: the previous content of an updated row.</summary>
    UpdateBefore,
    /// <summary><c>+U</c>: the new content of an updated row.</summary>
    UpdateAfter,
    /// <summary><c>-D</c>: a deleted row.</summary>
    Delete,
}

/// <summary>Flink's short names for row kinds.</summary>
public static class RowKinds
{
    /// <summary><c>+I</c>, <c>-U</c>, <c>+U</c> or <c>-D</c>.</summary>
    public static string ShortString(this RowKind kind) => kind switch
    {
        RowKind.Insert => "+I",
        RowKind.UpdateBefore => "-U",
        RowKind.UpdateAfter => "+U",
        _ => "-D",
    };

    /// <summary>True for +I and +U, the kinds that add a row.</summary>
    public static bool IsAccumulate(this RowKind kind) => kind is RowKind.Insert or RowKind.UpdateAfter;
}

/// <summary>A row flowing between operators: a change kind and one value per column (see <see cref="Types.SqlType"/>
/// for the CLR type of each kind). Values are not copied; an operator that keeps a row must not mutate it.</summary>
public sealed class Row
{
    /// <summary>A row of <paramref name="values"/> with change kind <paramref name="kind"/>.</summary>
    public Row(object?[] values, RowKind kind = RowKind.Insert)
    {
        Values = values;
        Kind = kind;
    }

    /// <summary>The change this row carries.</summary>
    public RowKind Kind { get; }
    /// <summary>Column values in schema order.</summary>
    public object?[] Values { get; }
    /// <summary>The value of column <paramref name="index"/>.</summary>
    public object? this[int index] => Values[index];
    /// <summary>Number of columns.</summary>
    public int Arity => Values.Length;
    /// <summary>The same values with another kind (the row itself when the kind is unchanged).</summary>
    public Row WithKind(RowKind kind) => kind == Kind ? this : new Row(Values, kind);
    /// <summary>The row as Flink's print connector shows it: <c>+I[v1, v2]</c>.</summary>
    public override string ToString() => ValueFormatter.FormatChangelogRow(this);
}

/// <summary>A batch of rows and, optionally, the watermark (event-time milliseconds since the epoch, UTC) that holds
/// after the batch: no later row will have an event time at or below it.</summary>
public class RowBatch
{
    /// <summary>A batch of <paramref name="rows"/>, with the watermark that holds after it, if any.</summary>
    public RowBatch(IReadOnlyList<Row> rows, long? watermark = null)
    {
        Rows = rows;
        Watermark = watermark;
    }

    /// <summary>The rows, in order.</summary>
    public IReadOnlyList<Row> Rows { get; }
    /// <summary>Event-time milliseconds no later row will reach or go below; null when unknown.</summary>
    public long? Watermark { get; }
    /// <summary>Number of rows.</summary>
    public int Count => Rows.Count;

    /// <summary>A checkpoint barrier: every row of the stream before this batch's end belongs to checkpoint
    /// <c>Checkpoint</c> (ids grow from 1). Operators that keep no state forward it after the rows that came before it;
    /// a sink that receives it makes those rows durable and acknowledges the checkpoint, after which sources commit
    /// their positions (Flink's checkpoint barriers, at-least-once mode: inputs are not aligned). Null: no barrier.</summary>
    public long? Checkpoint { get; init; }

    /// <summary>Set by a source that can commit its position: where the source stands after this batch (connector
    /// specific, e.g. the next offset of each Kafka partition). Null for other sources and downstream of the scan.</summary>
    public object? SourcePosition { get; init; }

    /// <summary>Set by a source whose stream merges splits (Kafka: topic-partitions): the split every row of this
    /// batch comes from. The scan keeps an event-time watermark per split and passes on the smallest over the splits
    /// that are not idle, as Flink's split-aware watermarks do, so the rows of a partition read behind the others are
    /// not late. A batch without rows announces a split (an assigned partition holds the watermark back until it sends
    /// rows or goes idle). Null: the source has no splits.</summary>
    public object? Split { get; init; }

    /// <summary>With <see cref="Split"/>: the split has ended here (read to its bound, revoked or lost); it no longer
    /// holds the watermark back.</summary>
    public bool SplitEnded { get; init; }
}

/// <summary>A ROW value: field values by position.</summary>
public sealed class RowValue(object?[] fields) : IEquatable<RowValue>
{
    /// <summary>Field values in the ROW type's order.</summary>
    public object?[] Fields { get; } = fields;
    /// <inheritdoc />
    public bool Equals(RowValue? other) => other is not null && ValueComparer.Instance.Equals(Fields, other.Fields);
    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as RowValue);
    /// <inheritdoc />
    public override int GetHashCode() => ValueComparer.Instance.GetHashCode(Fields);
    /// <summary>The row as Flink prints a ROW: <c>(a, b)</c>.</summary>
    public override string ToString() => ValueFormatter.Format(this);
}

/// <summary>A MAP value: entries in insertion order, keys unique by SQL equality.</summary>
public sealed class MapValue : IEquatable<MapValue>
{
    private readonly Dictionary<object, int> _index = new(ValueComparer.Instance);

    /// <summary>A map of the entries in order; a repeated key keeps its first position and its last value.</summary>
    public MapValue(IEnumerable<KeyValuePair<object?, object?>> entries)
    {
        var list = new List<KeyValuePair<object?, object?>>();
        foreach (var e in entries)
        {
            var key = e.Key ?? NullKey.Instance;
            if (_index.TryGetValue(key, out var at)) list[at] = e;
            else
            {
                _index[key] = list.Count;
                list.Add(e);
            }
        }
        Entries = list;
    }

    /// <summary>Entries in insertion order.</summary>
    public IReadOnlyList<KeyValuePair<object?, object?>> Entries { get; }
    /// <summary>Number of entries.</summary>
    public int Count => Entries.Count;

    /// <summary>The value of <paramref name="key"/> (a NULL key included).</summary>
    public bool TryGetValue(object? key, out object? value)
    {
        if (_index.TryGetValue(key ?? NullKey.Instance, out var at))
        {
            value = Entries[at].Value;
            return true;
        }
        value = null;
        return false;
    }

    /// <inheritdoc />
    public bool Equals(MapValue? other) =>
        other is not null && other.Count == Count &&
        Entries.All(e => other.TryGetValue(e.Key, out var v) && ValueComparer.Instance.Equals(e.Value, v));
    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as MapValue);
    /// <inheritdoc />
    public override int GetHashCode() => Count;
    /// <summary>The map as Flink prints it: <c>{k=v, ..}</c>.</summary>
    public override string ToString() => ValueFormatter.Format(this);

    private sealed class NullKey
    {
        public static readonly NullKey Instance = new();
    }
}
