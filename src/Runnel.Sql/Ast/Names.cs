using Runnel.Core.Errors;

namespace Runnel.Sql.Ast;

/// <summary>Base of every syntax node: where it starts in the SQL text.</summary>
public abstract record SqlNode
{
    /// <summary>Where the node starts in the SQL text.</summary>
    public SourcePosition Position { get; init; }
}

/// <summary>A possibly qualified object name (<c>cat.db.t</c>, <c>`my-model`</c>), parts as written without quotes.</summary>
public sealed record QualifiedName(IReadOnlyList<string> Parts)
{
    /// <summary>A one-part name.</summary>
    public QualifiedName(string single) : this([single]) { }
    /// <summary>The object name (last part).</summary>
    public string Last => Parts[^1];
    /// <inheritdoc />
    public override string ToString() => string.Join(".", Parts.Select(Identifiers.Quote));
    /// <summary>Equal when the parts are (ordinal).</summary>
    public bool Equals(QualifiedName? other) => other is not null && Parts.SequenceEqual(other.Parts);
    /// <inheritdoc />
    public override int GetHashCode() => string.Join(".", Parts).GetHashCode(StringComparison.Ordinal);
}

/// <summary>Identifier quoting rules.</summary>
public static class Identifiers
{
    /// <summary>Backquotes a name unless it is a plain word that is not a reserved keyword.</summary>
    public static string Quote(string name)
    {
        var plain = name.Length > 0 && (char.IsLetter(name[0]) || name[0] == '_') &&
                    name.All(ch => char.IsLetterOrDigit(ch) || ch == '_') && !Keywords.IsReserved(name);
        return plain ? name : "`" + name.Replace("`", "``", StringComparison.Ordinal) + "`";
    }

    /// <summary>Always backquoted, as Flink's SHOW CREATE TABLE writes names.</summary>
    public static string AlwaysQuote(string name) => "`" + name.Replace("`", "``", StringComparison.Ordinal) + "`";

    /// <summary>A single-quoted SQL string literal.</summary>
    public static string QuoteString(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}

/// <summary>Words that cannot be used as plain identifiers or implicit aliases (a subset of Flink's reserved words
/// that matter for parsing).</summary>
public static class Keywords
{
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "ALL", "AND", "ARRAY", "AS", "ASC", "BETWEEN", "BY", "CASE", "CAST", "CREATE", "CROSS", "CURRENT", "DESC",
        "DESCRIBE", "DISTINCT", "DROP", "ELSE", "END", "EXCEPT", "EXISTS", "EXPLAIN", "FALSE", "FETCH", "FOR", "FROM",
        "FULL", "GROUP", "HAVING", "IN", "INNER", "INSERT", "INTERSECT", "INTERVAL", "INTO", "IS", "JOIN", "LATERAL",
        "LEFT", "LIKE", "LIMIT", "MAP", "MINUS", "NATURAL", "NOT", "NULL", "OFFSET", "ON", "OR", "ORDER", "OUTER",
        "OVER", "RIGHT", "ROW", "SELECT", "SET", "SHOW", "TABLE", "THEN", "TRUE", "UNION", "UNNEST", "USING", "VALUES",
        "WHEN", "WHERE", "WINDOW", "WITH", "TRY_CAST", "UNKNOWN", "EXECUTE", "MODEL", "DESCRIPTOR",
    };

    /// <summary>True when <paramref name="word"/> must be backquoted to be an identifier.</summary>
    public static bool IsReserved(string word) => Reserved.Contains(word);
}
