using Runnel.Catalog;
using Runnel.Core.Errors;
using Runnel.Sql.Ast;
using Runnel.Sql.Binding;

namespace Runnel.Engine.Statements;

/// <summary>ALTER TABLE t SET ('k' = 'v', ..) / RESET ('k', ..) / RENAME TO u. Changed options are validated
/// against the connector's schema before they are stored. Renaming a managed table keeps its data.</summary>
internal static class AlterTableHandler
{
    public static StatementResult Execute(RunnelEngine engine, AlterTableStatement statement)
    {
        var name = CatalogNames.ObjectName(statement.Name, statement.Position);
        var reader = engine.CatalogReader();
        if (!reader.TryGetTable(name, out var table))
            throw new SqlException($"Table '{name}' does not exist." + NameSuggester.Hint(name, reader.TableNames), statement.Position);
        if (engine.Session.TemporaryTables.ContainsKey(name))
            throw new SqlException("ALTER TABLE on a temporary table is not supported; drop and re-create it", statement.Position);
        if (statement.RenameTo is not null)
        {
            var newName = CatalogNames.ObjectName(statement.RenameTo, statement.Position);
            if (reader.TryGetTable(newName, out _) || reader.TryGetView(newName, out _))
                throw new SqlException($"Cannot rename '{name}' to '{newName}': an object of that name exists", statement.Position);
            if (table.IsManaged)
                throw new SqlException("Renaming a managed table is not supported yet; create a new table AS SELECT from it", statement.Position);
            var def = table.Definition with { Name = new QualifiedName(newName) };
            if (!engine.Store.TryAdd(new CatalogEntry(CatalogKinds.Table, newName, SqlFormatter.Format(def), DateTimeOffset.UtcNow)))
                throw new SqlException($"Cannot rename to '{newName}': an object of that name exists", statement.Position);
            engine.Store.TryRemove(CatalogKinds.Table, name);
            return RunnelEngine.Ok(statement);
        }
        var options = table.Definition.Options.ToList();
        foreach (var set in statement.Set)
        {
            options.RemoveAll(o => string.Equals(o.Key, set.Key, StringComparison.OrdinalIgnoreCase));
            options.Add(set);
        }
        foreach (var key in statement.Reset)
        {
            if (string.Equals(key, "connector", StringComparison.OrdinalIgnoreCase))
                throw new SqlException("The 'connector' option cannot be reset", statement.Position);
            options.RemoveAll(o => string.Equals(o.Key, key, StringComparison.OrdinalIgnoreCase));
        }
        var updated = new CatalogTable(name, table.Definition with { Options = options });
        CreateTableHandler.Validate(engine, updated, statement);
        engine.Store.TryUpdate(new CatalogEntry(CatalogKinds.Table, name, SqlFormatter.Format(updated.Definition), DateTimeOffset.UtcNow));
        return RunnelEngine.Ok(statement);
    }
}
