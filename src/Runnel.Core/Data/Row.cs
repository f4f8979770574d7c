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
    public Row(object?[] values, RowKind kind = RowKind.Insert)
    {
        Values = values;
        Kind = kind;
    }

    public RowKind Kind { get; }
    public object?[] Values { get; }
    public object? this[int index] => Values[index];
    public int Arity => Values.Length;
    public Row WithKind(RowKind kind) => kind == Kind ? this : new Row(Values, kind);
    public override string ToString() => ValueFormatter.FormatChangelogRow(this);
}

/// <summary>A batch of rows and, optionally, the watermark (event-time milliseconds since the epoch, UTC) that holds
/// after the batch: no later row will have an event time at or below it.</summary>
public class RowBatch
{
    public RowBatch(IReadOnlyList<Row> rows, long? watermark = null)
    {
        Rows = rows;
        Watermark = watermark;
    }

    public IReadOnlyList<Row> Rows { get; }
    public long? Watermark { get; }
    public int Count => Rows.Count;
}

/// <summary>A ROW value: field values by position.</summary>
public sealed class RowValue(object?[] fields) : IEquatable<RowValue>
{
    public object?[] Fields { get; } = fields;
    public bool Equals(RowValue? other) => other is not null && ValueComparer.Instance.Equals(Fields, other.Fields);
    public override bool Equals(object? obj) => Equals(obj as RowValue);
    public override int GetHashCode() => ValueComparer.Instance.GetHashCode(Fields);
    public override string ToString() => ValueFormatter.Format(this);
}

/// <summary>A MAP value: entries in insertion order, keys unique by SQL equality.</summary>
public sealed class MapValue : IEquatable<MapValue>
{
    private readonly Dictionary<object, int> _index = new(ValueComparer.Instance);

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

    public IReadOnlyList<KeyValuePair<object?, object?>> Entries { get; }
    public int Count => Entries.Count;

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

    public bool Equals(MapValue? other) =>
        other is not null && other.Count == Count &&
        Entries.All(e => other.TryGetValue(e.Key, out var v) && ValueComparer.Instance.Equals(e.Value, v));
    public override bool Equals(object? obj) => Equals(obj as MapValue);
    public override int GetHashCode() => Count;
    public override string ToString() => ValueFormatter.Format(this);

    private sealed class NullKey
    {
        public static readonly NullKey Instance = new();
    }
}
