using Runnel.Catalog;
using Runnel.Connectors.Managed;
using Runnel.Core.Errors;
using Runnel.Sql.Ast;
using Runnel.Sql.Binding;

namespace Runnel.Engine.Statements;

/// <summary>DROP [TEMPORARY] TABLE [IF EXISTS]: removes the table from the catalog; a managed table's data is
/// deleted with it (as dropping a Confluent table deletes its topic).</summary>
internal static class DropTableHandler
{
    public static StatementResult Execute(RunnelEngine engine, DropTableStatement statement)
    {
        var name = CatalogNames.ObjectName(statement.Name, statement.Position);
        if (statement.Temporary || engine.Session.TemporaryTables.ContainsKey(name))
        {
            if (engine.Session.TemporaryTables.Remove(name) || statement.IfExists) return RunnelEngine.Ok(statement);
            throw new SqlException($"Temporary table '{name}' does not exist", statement.Position);
        }
        var reader = engine.CatalogReader();
        if (reader.TryGetView(name, out _))
            throw new SqlException($"'{name}' is a view; use DROP VIEW", statement.Position);
        if (!reader.TryGetTable(name, out var table))
        {
            if (statement.IfExists) return RunnelEngine.Ok(statement);
            throw new SqlException($"Table with identifier '{CatalogNames.DefaultCatalog}.{CatalogNames.DefaultDatabase}.{name}' does not exist." + NameSuggester.Hint(name, reader.TableNames), statement.Position);
        }
        engine.Store.TryRemove(CatalogKinds.Table, name);
        if (table.IsManaged) TableLog.Delete(engine.Store.DataDirectory, name);
        return RunnelEngine.Ok(statement);
    }
}
