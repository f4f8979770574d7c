using Runnel.Core.Errors;
using Runnel.Sql.Ast;
using Runnel.Sql.Binding;
using Runnel.Sql.Parsing;

namespace Runnel.Catalog;

/// <summary>A point-in-time view of the store for binding one statement (<see cref="ICatalogReader"/>): every entry
/// is read once and its stored DDL parsed on first use.</summary>
public sealed class CatalogSnapshot : ICatalogReader
{
    private readonly Dictionary<string, CatalogEntry> _entries;
    private readonly Dictionary<string, CatalogTable> _tables = new(StringComparer.Ordinal);

    /// <summary>Reads every table and view entry of <paramref name="store"/> once.</summary>
    public CatalogSnapshot(ICatalogStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _entries = store.List().Where(e => e.Kind is CatalogKinds.Table or CatalogKinds.View).ToDictionary(e => e.Name, StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public IReadOnlyList<string> TableNames => _entries.Values.Where(e => e.Kind == CatalogKinds.Table).Select(e => e.Name).ToList();
    /// <inheritdoc />
    public IReadOnlyList<string> ViewNames => _entries.Values.Where(e => e.Kind == CatalogKinds.View).Select(e => e.Name).ToList();

    /// <inheritdoc />
    public bool TryGetTable(string name, out CatalogTable table)
    {
        table = null!;
        if (_tables.TryGetValue(name, out var cached)) { table = cached; return true; }
        if (!_entries.TryGetValue(name, out var e) || e.Kind != CatalogKinds.Table) return false;
        table = new CatalogTable(name, (CreateTableStatement)ParseStored(e));
        _tables[name] = table;
        return true;
    }

    /// <inheritdoc />
    public bool TryGetView(string name, out CatalogView view)
    {
        view = null!;
        if (!_entries.TryGetValue(name, out var e) || e.Kind != CatalogKinds.View) return false;
        var v = (CreateViewStatement)ParseStored(e);
        view = new CatalogView(name, v.QueryText, v.Columns, v.Comment);
        return true;
    }

    private static Statement ParseStored(CatalogEntry e)
    {
        try
        {
            return Parser.ParseSingle(e.Definition);
        }
        catch (SqlException ex)
        {
            throw new RunnelException($"The catalog's definition of {e.Kind.ToLowerInvariant()} '{e.Name}' is damaged: {ex.Message}");
        }
    }
}
