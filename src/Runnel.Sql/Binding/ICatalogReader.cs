using Runnel.Core.Errors;
using Runnel.Sql.Ast;

namespace Runnel.Sql.Binding;

/// <summary>A table as the catalog holds it: its CREATE TABLE statement (parsed) and its options.</summary>
/// <param name="Name">Object name in the default database.</param>
/// <param name="Definition">The statement that created it (for CREATE TABLE AS SELECT, the derived column list).</param>
public sealed record CatalogTable(string Name, CreateTableStatement Definition)
{
    /// <summary>Options with keys as written.</summary>
    public IReadOnlyDictionary<string, string> Options { get; } =
        Definition.Options.ToDictionary(o => o.Key, o => o.Value, StringComparer.OrdinalIgnoreCase);

    /// <summary>The <c>connector</c> option, or null for a managed table (stored by Runnel itself).</summary>
    public string? Connector => Options.TryGetValue("connector", out var c) ? c : null;
    /// <summary>True when the table has no connector.</summary>
    public bool IsManaged => Connector is null;
}

/// <summary>A view: its query text and optional column names.</summary>
public sealed record CatalogView(string Name, string QueryText, IReadOnlyList<string>? Columns, string? Comment);

/// <summary>
/// The read-only view of the catalog that binding gets. Implementations must be safe to call from one binding at a
/// time; they return snapshots, so a concurrent DDL statement in another process does not change a statement being
/// planned. Names are in the default catalog and database; <see cref="CatalogNames"/> strips qualification.
/// </summary>
public interface ICatalogReader
{
    /// <summary>The table called <paramref name="name"/>.</summary>
    bool TryGetTable(string name, out CatalogTable table);
    /// <summary>The view called <paramref name="name"/>.</summary>
    bool TryGetView(string name, out CatalogView view);
    /// <summary>Names of every table.</summary>
    IReadOnlyList<string> TableNames { get; }
    /// <summary>Names of every view.</summary>
    IReadOnlyList<string> ViewNames { get; }
}

/// <summary>Runnel has one catalog and one database (Flink's default names); qualified names must point at them.</summary>
public static class CatalogNames
{
    /// <summary>Flink's default catalog name.</summary>
    public const string DefaultCatalog = "default_catalog";
    /// <summary>Flink's default database name.</summary>
    public const string DefaultDatabase = "default_database";

    /// <summary>The object part of <paramref name="name"/>; throws when a catalog or database other than the default
    /// is named.</summary>
    public static string ObjectName(QualifiedName name, SourcePosition position = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var p = name.Parts;
        if (p.Count > 3) throw new SqlException($"Name {name} has too many parts: use [catalog.][database.]object", position);
        if (p.Count == 3 && !string.Equals(p[0], DefaultCatalog, StringComparison.OrdinalIgnoreCase))
            throw new SqlException($"Catalog '{p[0]}' does not exist; Runnel has one catalog, '{DefaultCatalog}'", position);
        if (p.Count >= 2 && !string.Equals(p[^2], DefaultDatabase, StringComparison.OrdinalIgnoreCase))
            throw new SqlException($"Database '{p[^2]}' does not exist in catalog '{DefaultCatalog}'; Runnel has one database, '{DefaultDatabase}'", position);
        return p[^1];
    }
}

/// <summary>Finds the closest existing name for "did you mean" hints (Levenshtein distance, case-insensitive).</summary>
public static class NameSuggester
{
    /// <summary>The candidate closest to <paramref name="name"/> when it is close enough, else null.</summary>
    public static string? Closest(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var c in candidates)
        {
            var d = Distance(name.ToLowerInvariant(), c.ToLowerInvariant());
            if (d < bestDistance)
            {
                bestDistance = d;
                best = c;
            }
        }
        return best is not null && bestDistance <= Math.Max(2, name.Length / 3) ? best : null;
    }

    /// <summary><c> Did you mean 'x'?</c>, or empty.</summary>
    public static string Hint(string name, IEnumerable<string> candidates) =>
        Closest(name, candidates) is { } c ? $" Did you mean '{c}'?" : "";

    private static int Distance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
