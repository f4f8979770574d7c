using Runnel.Catalog;
using Runnel.Core.Errors;
using Runnel.Sql.Ast;
using Runnel.Sql.Binding;

namespace Runnel.Engine.Statements;

/// <summary>CREATE [TEMPORARY] VIEW [IF NOT EXISTS] v [(cols)] AS query: the query is bound now (so errors show at
/// creation) and stored as text.</summary>
internal static class CreateViewHandler
{
    public static StatementResult Execute(RunnelEngine engine, CreateViewStatement statement)
    {
        var name = CatalogNames.ObjectName(statement.Name, statement.Position);
        var context = engine.BindContext();
        var plan = new QueryBinder(context).BindQuery(statement.Query);
        if (statement.Columns is not null && statement.Columns.Count != plan.Schema.Count)
            throw new SqlException($"View '{name}' names {statement.Columns.Count} columns but its query returns {plan.Schema.Count}", statement.Position);
        if (context.Catalog.TryGetTable(name, out _) || context.Catalog.TryGetView(name, out _))
        {
            if (statement.IfNotExists) return RunnelEngine.Ok(statement);
            throw new SqlException($"Could not execute CreateView: table or view '{name}' already exists", statement.Position);
        }
        var definition = statement with { IfNotExists = false, Temporary = false, Name = new QualifiedName(name) };
        var text = SqlFormatter.Format(definition);
        if (statement.Temporary)
        {
            engine.Session.TemporaryViews[name] = new CatalogView(name, SqlFormatter.Format(statement.Query), statement.Columns, statement.Comment);
            return RunnelEngine.Ok(statement);
        }
        if (!engine.Store.TryAdd(new CatalogEntry(CatalogKinds.View, name, text, DateTimeOffset.UtcNow)) && !statement.IfNotExists)
            throw new SqlException($"Could not execute CreateView: table or view '{name}' already exists", statement.Position);
        return RunnelEngine.Ok(statement);
    }
}

/// <summary>DROP [TEMPORARY] VIEW [IF EXISTS] v.</summary>
internal static class DropViewHandler
{
    public static StatementResult Execute(RunnelEngine engine, DropViewStatement statement)
    {
        var name = CatalogNames.ObjectName(statement.Name, statement.Position);
        if (engine.Session.TemporaryViews.Remove(name)) return RunnelEngine.Ok(statement);
        var reader = engine.CatalogReader();
        if (reader.TryGetTable(name, out _)) throw new SqlException($"'{name}' is a table; use DROP TABLE", statement.Position);
        if (!reader.TryGetView(name, out _))
        {
            if (statement.IfExists) return RunnelEngine.Ok(statement);
            throw new SqlException($"View with identifier '{CatalogNames.DefaultCatalog}.{CatalogNames.DefaultDatabase}.{name}' does not exist." + NameSuggester.Hint(name, reader.ViewNames), statement.Position);
        }
        engine.Store.TryRemove(CatalogKinds.View, name);
        return RunnelEngine.Ok(statement);
    }
}
