namespace Runnel.Core.Types;

/// <summary>A column of a table or of an operator's output.</summary>
/// <param name="Name">Column name as declared (case-sensitive, as in Flink).</param>
/// <param name="Type">Data type.</param>
/// <param name="IsRowtime">True for the event-time attribute that a watermark is declared on.</param>
public sealed record Column(string Name, SqlType Type, bool IsRowtime = false, string? Comment = null);

/// <summary>An ordered list of columns; lookups are exact first, then case-insensitive.</summary>
public sealed class Schema
{
    public Schema(IReadOnlyList<Column> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        Columns = columns;
    }

    public static readonly Schema Empty = new([]);
    public IReadOnlyList<Column> Columns { get; }
    public int Count => Columns.Count;
    public Column this[int index] => Columns[index];

    /// <summary>Index of the column called <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
            if (Columns[i].Name == name) return i;
        for (var i = 0; i < Columns.Count; i++)
            if (string.Equals(Columns[i].Name, name, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }

    public IEnumerable<string> Names => Columns.Select(c => c.Name);
    public override string ToString() => "(" + string.Join(", ", Columns.Select(c => $"{c.Name} {c.Type}")) + ")";
}
