using Runnel.Sql.Ast;
using Runnel.Sql.Functions;
using Runnel.Sql.Planning;

namespace Runnel.Sql.Binding;

/// <summary>What connectors tell the planner about a table (the Sql layer knows no connector).</summary>
public interface ITableCapabilities
{
    /// <summary>True when scanning <paramref name="table"/> ends: every source in batch mode; in streaming mode as the
    /// connector says (a file without <c>source.monitor-interval</c>, datagen with <c>number-of-rows</c>).</summary>
    bool IsBounded(CatalogTable table, bool batchMode);

    /// <summary>True when the table's sink can consume updates (-U/+U/-D), as <c>print</c> and <c>upsert-kafka</c> do.</summary>
    bool AcceptsUpdates(CatalogTable table);
}

/// <summary>A table function usable in <c>LATERAL TABLE(..)</c> or as a table-valued function in FROM, provided by a
/// layer above (model inference functions register here).</summary>
public interface ITableFunctionBinder
{
    /// <summary>Upper-case names this binder handles, e.g. <c>ML_PREDICT</c>.</summary>
    IReadOnlyCollection<string> Names { get; }

    /// <summary>Binds a lateral call whose arguments see <paramref name="scope"/> (the row on the left).</summary>
    CorrelatedFunction BindLateral(FunctionCallExpr call, Scope scope, ExpressionBinder binder, BindContext context);

    /// <summary>Binds a table-valued call in FROM whose table argument is already planned (<paramref name="input"/>);
    /// returns the plan that replaces the call.</summary>
    LogicalPlan BindTableValued(FunctionCallExpr call, LogicalPlan input, Scope inputScope, ExpressionBinder binder, BindContext context);
}

/// <summary>What an <see cref="ISelectRewriter"/> did to a SELECT block: a new input (and its scope) with
/// substitutions for select-list expressions, or the complete result (<see cref="Final"/>).</summary>
public sealed record SelectRewrite(LogicalPlan Input, Scope Scope, Func<Expr, Scope, BoundExpr?>? Substitute = null, LogicalPlan? Final = null);

/// <summary>A hook that binds functions appearing in a select list that are not scalar functions: model inference
/// in scalar form (<c>SELECT ML_PREDICT(m, x) FROM t</c>) and evaluation aggregates (<c>ML_EVALUATE</c>). Called after
/// FROM and WHERE are bound; returns null when the select list holds nothing it handles.</summary>
public interface ISelectRewriter
{
    /// <summary>The rewrite of <paramref name="select"/>, or null when it holds nothing this rewriter handles.</summary>
    SelectRewrite? Rewrite(SelectQuery select, LogicalPlan input, Scope scope, ExpressionBinder binder, BindContext context);
}

/// <summary>Everything binding needs: the catalog, functions, session mode and connector capabilities.</summary>
public sealed class BindContext(ICatalogReader catalog, ITableCapabilities capabilities, BuiltinFunctions functions, bool batchMode,
    IReadOnlyList<ITableFunctionBinder>? tableFunctions = null, IReadOnlyList<ISelectRewriter>? selectRewriters = null)
{
    /// <summary>Hooks for model functions in select lists.</summary>
    public IReadOnlyList<ISelectRewriter> SelectRewriters { get; } = selectRewriters ?? [];
    /// <summary>The catalog view.</summary>
    public ICatalogReader Catalog { get; } = catalog;
    /// <summary>What connectors can do.</summary>
    public ITableCapabilities Capabilities { get; } = capabilities;
    /// <summary>Built-in scalar functions for the session time zone.</summary>
    public BuiltinFunctions Functions { get; } = functions;
    /// <summary><c>execution.runtime-mode</c> = batch: every source bounded, aggregates emit final rows only.</summary>
    public bool BatchMode { get; } = batchMode;
    /// <summary>Binders of lateral and table-valued functions.</summary>
    public IReadOnlyList<ITableFunctionBinder> TableFunctions { get; } = tableFunctions ?? [];

    /// <summary>The binder that handles <paramref name="name"/>, or null.</summary>
    public ITableFunctionBinder? FindTableFunction(string name) =>
        TableFunctions.FirstOrDefault(t => t.Names.Contains(name, StringComparer.OrdinalIgnoreCase));
}
