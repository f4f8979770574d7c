namespace Runnel.Core.Types;

/// <summary>A column of a table or of an operator's output.</summary>
/// <param name="Name">Column name as declared (case-sensitive, as in Flink).</param>
/// <param name="Type">Data type.</param>
/// <param name="IsRowtime">True for the event-time attribute that a watermark is declared on.</param>
public sealed record Column(string Name, SqlType Type, bool IsRowtime = false, string? Comment = null);

/// <summary>An ordered list of columns; lookups are exact first, then case-insensitive.</summary>
public sealed class Schema
{
    /// <summary>A schema of <paramref name="columns"/> in order.</summary>
    public Schema(IReadOnlyList<Column> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        Columns = columns;
    }

    /// <summary>No columns.</summary>
    public static readonly Schema Empty = new([]);
    /// <summary>The columns in order.</summary>
    public IReadOnlyList<Column> Columns { get; }
    /// <summary>Number of columns.</summary>
    public int Count => Columns.Count;
    /// <summary>The column at <paramref name="index"/>.</summary>
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

    /// <summary>Column names in order.</summary>
    public IEnumerable<string> Names => Columns.Select(c => c.Name);
    /// <summary><c>(name TYPE, ..)</c>.</summary>
    public override string ToString() => "(" + string.Join(", ", Columns.Select(c => $"{c.Name} {c.Type}")) + ")";
}
