using Runnel.Core.Types;
using Runnel.Sql.Ast;
using Runnel.Sql.Binding;

namespace Runnel.Engine.Statements;

/// <summary>SET 'key' = 'value' (validated for known keys), or SET; to list the session configuration.</summary>
internal static class SetHandler
{
    public static StatementResult Execute(RunnelEngine engine, SetStatement statement)
    {
        if (statement.Key is null)
        {
            var schema = new Schema([new Column("key", SqlType.String), new Column("value", SqlType.String)]);
            return new TableResult(statement, schema, engine.Session.Config.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => new object?[] { kv.Key, Session.IsSecretKey(kv.Key) ? Core.Options.SecretValue.Mask : kv.Value }).ToList());
        }
        engine.Session.Set(statement.Key, statement.Value ?? "");
        return new MessageResult(statement, "Execute statement succeeded.");
    }
}

/// <summary>RESET 'key', or RESET; for every key.</summary>
internal static class ResetHandler
{
    public static StatementResult Execute(RunnelEngine engine, ResetStatement statement)
    {
        engine.Session.Reset(statement.Key);
        return RunnelEngine.Ok(statement);
    }
}

/// <summary>USE [CATALOG] name: accepted when it names the one default catalog or database.</summary>
internal static class UseHandler
{
    public static StatementResult Execute(RunnelEngine engine, UseStatement statement)
    {
        var parts = statement.Name.Parts;
        var ok = statement.Catalog
            ? string.Equals(parts[^1], CatalogNames.DefaultCatalog, StringComparison.OrdinalIgnoreCase)
            : string.Equals(parts[^1], CatalogNames.DefaultDatabase, StringComparison.OrdinalIgnoreCase) &&
              (parts.Count == 1 || string.Equals(parts[0], CatalogNames.DefaultCatalog, StringComparison.OrdinalIgnoreCase));
        if (!ok)
            throw new Core.Errors.SqlException($"{(statement.Catalog ? "Catalog" : "Database")} '{statement.Name}' does not exist; Runnel has catalog '{CatalogNames.DefaultCatalog}' with database '{CatalogNames.DefaultDatabase}'", statement.Position);
        return RunnelEngine.Ok(statement);
    }
}
