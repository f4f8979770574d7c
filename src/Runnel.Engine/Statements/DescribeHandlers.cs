using System.Text;
using Runnel.Core.Errors;
using Runnel.Core.Types;
using Runnel.Sql.Ast;
using Runnel.Sql.Binding;
using Runnel.Sql.Functions;
using Runnel.Sql.Parsing;

namespace Runnel.Engine.Statements;

/// <summary>DESCRIBE t: Flink's columns <c>name | type | null | key | extras | watermark</c>.</summary>
internal static class DescribeHandler
{
    public static StatementResult Execute(RunnelEngine engine, DescribeStatement statement)
    {
        var name = CatalogNames.ObjectName(statement.Name, statement.Position);
        var context = engine.BindContext();
        var schema = new Schema(new[] { "name", "type", "null", "key", "extras", "watermark" }.Select(n => new Column(n, SqlType.String)).ToList());
        if (context.Catalog.TryGetTable(name, out var table))
        {
            var resolved = TableResolver.Resolve(table, new ExpressionBinder(new BuiltinFunctions(engine.Session.TimeZone)));
            var def = table.Definition;
            var rows = new List<object?[]>();
            for (var i = 0; i < resolved.Schema.Count; i++)
            {
                var col = resolved.Schema[i];
                var element = def.Columns[i];
                var extras = element switch
                {
                    ComputedColumnDef c => "AS " + SqlFormatter.Format(c.Expression),
                    MetadataColumnDef m => "METADATA" + (m.Key is null ? "" : $" FROM '{m.Key}'") + (m.IsVirtual ? " VIRTUAL" : ""),
                    _ => null,
                };
                var key = resolved.PrimaryKey?.Contains(col.Name) == true ? $"PRI({string.Join(", ", resolved.PrimaryKey)})" : null;
                var watermark = def.Watermark is { } w && w.Column == col.Name ? SqlFormatter.Format(w.Strategy) : null;
                rows.Add([col.Name, col.Type.WithNullable(true) + (col.IsRowtime ? " *ROWTIME*" : ""), col.Type.IsNullable ? "TRUE" : "FALSE", key ?? "", extras ?? "", watermark ?? ""]);
            }
            return new TableResult(statement, schema, rows);
        }
        if (context.Catalog.TryGetView(name, out var view))
        {
            var plan = new QueryBinder(context).BindQuery(Parser.ParseQuery(view.QueryText));
            var rows = plan.Schema.Columns.Select((c, i) => new object?[] { view.Columns?[i] ?? c.Name, c.Type.WithNullable(true).ToString(), c.Type.IsNullable ? "TRUE" : "FALSE", "", "", "" }).ToList();
            return new TableResult(statement, schema, rows);
        }
        throw new SqlException($"Table or view with identifier '{CatalogNames.DefaultCatalog}.{CatalogNames.DefaultDatabase}.{name}' doesn't exist." +
            NameSuggester.Hint(name, context.Catalog.TableNames.Concat(context.Catalog.ViewNames)), statement.Position);
    }
}

/// <summary>SHOW CREATE TABLE | VIEW: the DDL as Flink prints it, fully qualified, one column per line.</summary>
internal static class ShowCreateHandler
{
    public static StatementResult Execute(RunnelEngine engine, ShowCreateStatement statement)
    {
        var name = CatalogNames.ObjectName(statement.Name, statement.Position);
        var reader = engine.CatalogReader();
        var qualified = $"`{CatalogNames.DefaultCatalog}`.`{CatalogNames.DefaultDatabase}`.{Identifiers.AlwaysQuote(name)}";
        if (statement.ObjectKind == "TABLE")
        {
            if (!reader.TryGetTable(name, out var table))
                throw new SqlException($"Could not execute SHOW CREATE TABLE. Table with identifier {qualified} does not exist." + NameSuggester.Hint(name, reader.TableNames), statement.Position);
            var def = table.Definition;
            var sb = new StringBuilder();
            sb.Append(def.Temporary ? "CREATE TEMPORARY TABLE " : "CREATE TABLE ").Append(qualified).Append(" (\n");
            var lines = def.Columns.Select(c => "  " + SqlFormatter.FormatElement(c)).ToList();
            if (def.Watermark is { } w) lines.Add($"  WATERMARK FOR {Identifiers.AlwaysQuote(w.Column)} AS {SqlFormatter.Format(w.Strategy)}");
            if (def.PrimaryKey is { } pk) lines.Add($"  CONSTRAINT `PK_{string.Join("_", pk.Columns)}` PRIMARY KEY ({string.Join(", ", pk.Columns.Select(Identifiers.AlwaysQuote))}) NOT ENFORCED");
            sb.Append(string.Join(",\n", lines)).Append("\n)");
            if (def.Comment is not null) sb.Append("\nCOMMENT ").Append(Identifiers.QuoteString(def.Comment));
            if (def.Options.Count > 0)
            {
                sb.Append(" WITH (\n");
                sb.Append(string.Join(",\n", def.Options.Select(o => $"  {Identifiers.QuoteString(o.Key)} = {Identifiers.QuoteString(o.Value)}")));
                sb.Append("\n)");
            }
            return new MessageResult(statement, sb.ToString());
        }
        if (!reader.TryGetView(name, out var view))
            throw new SqlException($"Could not execute SHOW CREATE VIEW. View with identifier {qualified} does not exist." + NameSuggester.Hint(name, reader.ViewNames), statement.Position);
        var cols = view.Columns is null ? "" : "(" + string.Join(", ", view.Columns.Select(Identifiers.AlwaysQuote)) + ")";
        return new MessageResult(statement, $"CREATE VIEW {qualified}{cols} AS\n{view.QueryText}");
    }
}

/// <summary>EXPLAIN [PLAN FOR] query | INSERT: the plan as bound (Flink's "Abstract Syntax Tree") and the optimized
/// physical plan.</summary>
internal static class ExplainHandler
{
    public static StatementResult Execute(RunnelEngine engine, ExplainStatement statement)
    {
        var context = engine.BindContext();
        var planned = statement.Inner switch
        {
            QueryStatement q => Planner.Query(context, q.Query),
            InsertStatement i => Planner.Insert(engine, context, i),
            _ => throw new SqlException("EXPLAIN supports queries and INSERT statements", statement.Position),
        };
        return new MessageResult(statement, Sql.Explain.PlanPrinter.Explain(planned.Bound, planned.Physical));
    }
}
