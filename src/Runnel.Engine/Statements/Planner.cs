using Runnel.Sql.Ast;
using Runnel.Sql.Binding;
using Runnel.Sql.Planning;
using Runnel.Sql.Planning.Rules;

namespace Runnel.Engine.Statements;

/// <summary>Binding, optimization and physical planning of queries and INSERTs, shared by the handlers.</summary>
internal static class Planner
{
    public sealed record Planned(LogicalPlan Bound, LogicalPlan Optimized, PhysicalPlan Physical);

    public static Planned Query(BindContext context, QueryExpr query)
    {
        var bound = new QueryBinder(context).BindQuery(query);
        return Finish(bound);
    }

    public static Planned Insert(RunnelEngine engine, BindContext context, InsertStatement insert)
    {
        var binder = new QueryBinder(context);
        var name = CatalogNames.ObjectName(insert.Target, insert.Position);
        if (!context.Catalog.TryGetTable(name, out var table))
        {
            if (context.Catalog.TryGetView(name, out _))
                throw new Core.Errors.SqlException($"Cannot INSERT INTO view '{name}'; views are read-only", insert.Position);
            throw new Core.Errors.SqlException($"Table '{insert.Target}' not found." + NameSuggester.Hint(name, context.Catalog.TableNames), insert.Position);
        }
        return Finish(binder.BindInsert(insert, table));
    }

    private static Planned Finish(LogicalPlan bound)
    {
        var optimized = Optimizer.Optimize(bound);
        return new Planned(bound, optimized, PhysicalPlanner.Plan(optimized));
    }
}
