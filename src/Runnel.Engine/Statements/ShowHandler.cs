using System.Text.RegularExpressions;
using Runnel.Core.Types;
using Runnel.Sql.Ast;
using Runnel.Sql.Binding;
using Runnel.Sql.Functions;

namespace Runnel.Engine.Statements;

/// <summary>SHOW TABLES | VIEWS | FUNCTIONS | CATALOGS | DATABASES | JOBS | CURRENT CATALOG | CURRENT DATABASE, with
/// [NOT] LIKE filtering as Flink's SQL client (column names as Flink prints them).</summary>
internal static class ShowHandler
{
    public static StatementResult Execute(RunnelEngine engine, ShowStatement statement)
    {
        if (statement.From is not null && !string.Equals(statement.From.Last, CatalogNames.DefaultDatabase, StringComparison.OrdinalIgnoreCase))
            throw new Core.Errors.SqlException($"Database '{statement.From}' does not exist", statement.Position);
        var reader = engine.CatalogReader();
        (string Column, IEnumerable<string> Names) listing = statement.What switch
        {
            "TABLES" => ("table name", reader.TableNames),
            "VIEWS" => ("view name", reader.ViewNames),
            "FUNCTIONS" or "USER FUNCTIONS" => ("function name", statement.What == "FUNCTIONS"
                ? new BuiltinFunctions().Names.Concat(AggregateFunctions.Names).Where(n => n.All(c => char.IsLetterOrDigit(c) || c == '_')).Select(n => n.ToUpperInvariant()).Distinct()
                : []),
            "CATALOGS" => ("catalog name", [CatalogNames.DefaultCatalog]),
            "DATABASES" => ("database name", [CatalogNames.DefaultDatabase]),
            "CURRENT CATALOG" => ("current catalog name", [CatalogNames.DefaultCatalog]),
            "CURRENT DATABASE" => ("current database name", [CatalogNames.DefaultDatabase]),
            "MODULES" => ("module name", ["core"]),
            "MODELS" => ("Model Name", engine.Models.ModelNames),
            "CONNECTIONS" => ("Name", engine.Models.ConnectionNames),
            _ => ("", []),
        };
        if (statement.What == "JOBS")
        {
            var schema = new Schema([new Column("job id", SqlType.String), new Column("job name", SqlType.String), new Column("status", SqlType.String), new Column("start time", SqlType.String)]);
            return new TableResult(statement, schema, engine.Jobs.Select(j => new object?[]
            {
                j.Id, j.Name, j.Status.ToString().ToUpperInvariant(), j.StartedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            }).ToList());
        }
        var names = listing.Names.Order(StringComparer.Ordinal).AsEnumerable();
        if (statement.LikePattern is not null)
        {
            var regex = BuiltinFunctions.LikeToRegex(statement.LikePattern, null);
            names = names.Where(n => regex.IsMatch(n) != statement.NotLike);
        }
        return new TableResult(statement, new Schema([new Column(listing.Column, SqlType.String.WithNullable(false))]),
            names.Select(n => new object?[] { n }).ToList());
    }
}
