using Runnel.Core.Errors;
using Runnel.Core.Types;
using Runnel.Sql.Ast;
using Runnel.Sql.Functions;
using Runnel.Sql.Parsing;
using Runnel.Sql.Planning;

namespace Runnel.Sql.Binding;

/// <summary>
/// Binds queries to logical plans: FROM (tables, views, CTEs, subqueries, joins, lateral table functions, UNNEST,
/// window TVFs), WHERE, GROUP BY with aggregates and HAVING, the select list, DISTINCT, set operations, VALUES,
/// ORDER BY / LIMIT. Output column names follow Flink (<c>EXPR$n</c> for unnamed expressions; duplicates get a
/// numeric suffix). Errors are <see cref="SqlException"/>s with the position of the offending node.
/// </summary>
public sealed partial class QueryBinder
{
    private readonly BindContext _ctx;
    private readonly ExpressionBinder _eb;
    private readonly List<Dictionary<string, CommonTableExpr>> _ctes = [];
    private readonly HashSet<string> _expandingViews = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A binder over <paramref name="context"/>.</summary>
    public QueryBinder(BindContext context)
    {
        _ctx = context;
        _eb = new ExpressionBinder(context.Functions);
    }

    /// <summary>The expression binder (with the query's substitutions).</summary>
    public ExpressionBinder Expressions => _eb;
    private bool Streaming => !_ctx.BatchMode;

    /// <summary>Binds a query; the plan's schema names are the query's output column names.</summary>
    public LogicalPlan BindQuery(QueryExpr query)
    {
        ArgumentNullException.ThrowIfNull(query);
        switch (query)
        {
            case SelectQuery s: return BindSelect(s, null);
            case ValuesQuery v: return BindValues(v);
            case SetOperationQuery so: return BindSetOperation(so);
            case WithQuery w:
            {
                var scope = new Dictionary<string, CommonTableExpr>(StringComparer.OrdinalIgnoreCase);
                _ctes.Add(scope);
                try
                {
                    foreach (var cte in w.Ctes) scope[cte.Name] = cte;
                    return BindQuery(w.Body);
                }
                finally { _ctes.RemoveAt(_ctes.Count - 1); }
            }
            case OrderedQuery o: return BindOrdered(o);
            default: throw new SqlException($"Unsupported query {query.GetType().Name}", query.Position);
        }
    }

    /// <summary>The resolved shape of a catalog table.</summary>
    public ResolvedTable ResolveTable(CatalogTable table) => TableResolver.Resolve(table, _eb);

    // ------------------------------------------------------------------ VALUES, set operations, ORDER BY

    private LogicalPlan BindValues(ValuesQuery v)
    {
        var empty = new Scope([]);
        var rows = v.Rows.Select(r => r.Select(e => _eb.Bind(e, empty)).ToList()).ToList();
        var width = rows[0].Count;
        var types = new List<SqlType>();
        for (var c = 0; c < width; c++)
        {
            var colTypes = rows.Select(r => r[c].Type).ToList();
            var t = TypeCoercion.LeastRestrictive(colTypes) ??
                throw new SqlException($"VALUES column {c + 1} has incompatible types: {string.Join(", ", colTypes.Distinct())}", v.Position);
            if (t.Kind == TypeKind.Char && colTypes.Select(x => x.Precision).Distinct().Count() > 1) t = SqlType.VarChar(t.Precision).WithNullable(t.IsNullable);
            types.Add(t);
        }
        var cast = rows.Select(r => (IReadOnlyList<BoundExpr>)r.Select((e, c) => ExpressionBinder.CastTo(e, types[c])).ToList()).ToList();
        return new LogicalValues(cast, new Schema(types.Select((t, i) => new Column("EXPR$" + i, t)).ToList()));
    }

    private LogicalPlan BindSetOperation(SetOperationQuery so)
    {
        if (so.Operator != SetOperator.Union)
            throw new SqlException($"{so.Operator.ToString().ToUpperInvariant()} is not supported yet; use UNION ALL, JOIN or NOT EXISTS rewrites", so.Position);
        var inputs = new List<LogicalPlan>();
        void Flatten(QueryExpr q)
        {
            if (q is SetOperationQuery { Operator: SetOperator.Union, All: true } u && so.All) { Flatten(u.Left); Flatten(u.Right); }
            else inputs.Add(BindQuery(q));
        }
        Flatten(so.Left);
        Flatten(so.Right);
        var width = inputs[0].Schema.Count;
        if (inputs.Any(i => i.Schema.Count != width))
            throw new SqlException($"Set operator cannot combine queries with different column counts: {string.Join(" vs ", inputs.Select(i => i.Schema.Count))}", so.Position);
        var types = new List<SqlType>();
        for (var c = 0; c < width; c++)
        {
            var colTypes = inputs.Select(i => i.Schema[c].Type).ToList();
            types.Add(TypeCoercion.LeastRestrictive(colTypes) ??
                throw new SqlException($"Type mismatch in column {c + 1} of UNION ALL: {string.Join(", ", colTypes.Distinct())}", so.Position));
        }
        var names = inputs[0].Schema.Names.ToList();
        var cast = inputs.Select(i =>
        {
            var exprs = i.Schema.Columns.Select((col, c) => ExpressionBinder.CastTo(new BoundInputRef(c, col.Type), types[c])).ToList();
            return exprs.Select((e, c) => e is BoundInputRef r && r.Index == c).All(b => b) && i.Schema.Names.SequenceEqual(names)
                ? i : new LogicalProject(i, exprs, names);
        }).ToList();
        LogicalPlan union = new LogicalUnion(cast, new Schema(types.Select((t, c) => new Column(names[c], t)).ToList()));
        if (!so.All) union = new LogicalAggregate(union, Enumerable.Range(0, width).ToList(), [], Streaming);
        return union;
    }

    private LogicalPlan BindOrdered(OrderedQuery o)
    {
        var body = BindQuery(o.Body);
        var names = body.Schema.Names.ToList();
        var selectItems = o.Body is SelectQuery sq ? ExpandedItems(sq) : null;
        var keys = new List<SortKey>();
        foreach (var item in o.OrderBy)
        {
            int index;
            if (item.Expr is LiteralExpr { Kind: LiteralKind.Integer } lit && int.TryParse(lit.Text, out var ordinal))
            {
                if (ordinal < 1 || ordinal > names.Count) throw new SqlException($"Ordinal {ordinal} in ORDER BY is out of range (1..{names.Count})", item.Expr.Position);
                index = ordinal - 1;
            }
            else
            {
                index = -1;
                if (item.Expr is ColumnRefExpr { Parts.Count: 1 } c)
                {
                    index = names.IndexOf(c.Parts[0]);
                    if (index < 0) index = names.FindIndex(n => string.Equals(n, c.Parts[0], StringComparison.OrdinalIgnoreCase));
                }
                if (index < 0 && selectItems is not null)
                {
                    var text = SqlFormatter.Format(item.Expr);
                    index = selectItems.FindIndex(si => SqlFormatter.Format(si.Expr) == text ||
                        (si.Expr is ColumnRefExpr sc && item.Expr is ColumnRefExpr ic && sc.Parts[^1].Equals(ic.Parts[^1], StringComparison.OrdinalIgnoreCase)));
                }
                if (index < 0)
                    throw new SqlException($"ORDER BY expression '{SqlFormatter.Format(item.Expr)}' must be a column of the select list (by name, alias or position)." +
                        NameSuggester.Hint(SqlFormatter.Format(item.Expr), names), item.Expr.Position);
            }
            // Flink sorts NULLs first in ascending order and last in descending order unless told otherwise.
            keys.Add(new SortKey(index, item.Descending, item.NullsFirst ?? !item.Descending));
        }
        long? limit = o.Limit is null ? null : ConstantLong(o.Limit, "LIMIT");
        var offset = o.Offset is null ? 0 : ConstantLong(o.Offset, "OFFSET");
        if (Streaming && !body.IsBounded && keys.Count > 0 && limit is null)
            throw new SqlException("Sort on a non-time-attribute field is not supported over an unbounded input; add a LIMIT (Top-N) or run in batch mode (SET 'execution.runtime-mode' = 'batch')", o.Position);
        return new LogicalSort(body, keys, limit, offset, Streaming && !body.IsBounded);
    }

    private long ConstantLong(Expr e, string clause)
    {
        var b = _eb.Bind(e, new Scope([]));
        if (b is BoundLiteral { Value: int or long } l && Convert.ToInt64(l.Value, System.Globalization.CultureInfo.InvariantCulture) >= 0)
            return Convert.ToInt64(l.Value, System.Globalization.CultureInfo.InvariantCulture);
        throw new SqlException($"{clause} must be a non-negative integer literal", e.Position);
    }

    // ------------------------------------------------------------------ SELECT

    /// <summary>The select list with <c>*</c> and <c>t.*</c> left in place (expanded during binding).</summary>
    private static List<SelectItem> ExpandedItems(SelectQuery s) => s.Items.ToList();

    private LogicalPlan BindSelect(SelectQuery s, IReadOnlyList<string>? _)
    {
        LogicalPlan input;
        Scope scope;
        if (s.From is null)
        {
            input = new LogicalValues([[]], Schema.Empty);
            scope = new Scope([]);
        }
        else (input, scope) = BindFrom(s.From);

        if (s.Where is not null)
        {
            CheckNoAggregates(s.Where, "WHERE");
            var cond = _eb.Bind(s.Where, scope);
            RequireBoolean(cond, s.Where, "WHERE");
            input = new LogicalFilter(input, cond);
        }

        Func<Expr, Scope, BoundExpr?>? rewriteSubstitute = null;
        foreach (var rewriter in _ctx.SelectRewriters)
        {
            if (rewriter.Rewrite(s, input, scope, _eb, _ctx) is not { } rewrite) continue;
            if (rewrite.Final is not null) return rewrite.Final;
            input = rewrite.Input;
            scope = rewrite.Scope;
            if (rewrite.Substitute is { } sub)
            {
                var before = rewriteSubstitute;
                rewriteSubstitute = (e, sc) => sub(e, sc) ?? before?.Invoke(e, sc);
            }
        }

        // Expand stars into column references, remembering each item's output name.
        var items = new List<(Expr Expr, string? Alias)>();
        foreach (var item in s.Items)
        {
            if (item.Expr is StarExpr star)
            {
                var matching = scope.Entries.Where(e => star.Qualifier is null || string.Equals(e.TableAlias, star.Qualifier.Last, StringComparison.OrdinalIgnoreCase)).ToList();
                if (matching.Count == 0) throw new SqlException($"Unknown table '{star.Qualifier}' in {star.Qualifier}.*", star.Position);
                // Each star item resolves by index, so duplicate names across join sides stay distinct.
                items.AddRange(matching.Select(m => ((Expr)new ResolvedRefExpr(m.Index, m.Name) { Position = star.Position }, (string?)m.Name)));
            }
            else items.Add((item.Expr, item.Alias));
        }
        var originalSubstitute = _eb.Substitute;
        _eb.Substitute = (e, sc) => e is ResolvedRefExpr r ? new BoundInputRef(r.Index, scope.Entries.First(x => x.Index == r.Index).Type)
            : rewriteSubstitute?.Invoke(e, sc) ?? originalSubstitute?.Invoke(e, sc);
        try
        {
            var aggregates = items.SelectMany(i => FindAggregates(i.Expr)).ToList();
            if (s.Having is not null) aggregates.AddRange(FindAggregates(s.Having));
            LogicalPlan result;
            List<BoundExpr> outputs;
            if (s.GroupBy.Count > 0 || aggregates.Count > 0)
            {
                (result, outputs) = BindAggregation(s, input, scope, items, aggregates);
            }
            else
            {
                if (s.Having is not null) throw new SqlException("HAVING requires GROUP BY or an aggregate", s.Having.Position);
                result = input;
                outputs = items.Select(i => _eb.Bind(i.Expr, scope)).ToList();
            }
            var names = OutputNames(items);
            LogicalPlan projected = new LogicalProject(result, outputs, names);
            if (projected is LogicalProject p && p.IsIdentity) projected = result;
            if (s.Distinct) projected = new LogicalAggregate(projected, Enumerable.Range(0, names.Count).ToList(), [], Streaming);
            return projected;
        }
        finally { _eb.Substitute = originalSubstitute; }
    }

    private static List<string> OutputNames(List<(Expr Expr, string? Alias)> items)
    {
        var names = new List<string>();
        for (var i = 0; i < items.Count; i++)
        {
            var (e, alias) = items[i];
            var name = alias ?? e switch
            {
                ColumnRefExpr c => c.Parts[^1],
                ResolvedRefExpr r => r.Name,
                FieldAccessExpr f => f.Field,
                _ => "EXPR$" + i,
            };
            var unique = name;
            for (var k = 0; names.Contains(unique, StringComparer.OrdinalIgnoreCase); k++) unique = name + k;
            names.Add(unique);
        }
        return names;
    }

    private static void RequireBoolean(BoundExpr cond, Expr at, string clause)
    {
        if (cond.Type.Kind is not (TypeKind.Boolean or TypeKind.Null))
            throw new SqlException($"{clause} clause must be a condition (BOOLEAN), but is {cond.Type}", at.Position);
    }

    private static bool IsAggregate(Expr e) => e is FunctionCallExpr fc && fc.Name.Parts.Count == 1 && AggregateFunctions.TryGet(fc.UpperName, out _);

    private static IEnumerable<FunctionCallExpr> FindAggregates(Expr e)
    {
        if (IsAggregate(e))
        {
            var fc = (FunctionCallExpr)e;
            foreach (var a in fc.Args)
                if (ExprWalker.Descendants(a).Any(IsAggregate))
                    throw new SqlException($"Aggregate calls cannot be nested: {SqlFormatter.Format(fc)}", fc.Position);
            yield return fc;
            yield break;
        }
        foreach (var c in ExprWalker.Children(e))
            foreach (var a in FindAggregates(c))
                yield return a;
    }

    private static void CheckNoAggregates(Expr e, string clause)
    {
        var agg = ExprWalker.Descendants(e).FirstOrDefault(IsAggregate);
        if (agg is not null) throw new SqlException($"Aggregate functions are not allowed in {clause}: {SqlFormatter.Format(agg)}", agg.Position);
    }

    private (LogicalPlan Plan, List<BoundExpr> Outputs) BindAggregation(SelectQuery s, LogicalPlan input, Scope scope,
        List<(Expr Expr, string? Alias)> items, List<FunctionCallExpr> aggregateExprs)
    {
        foreach (var g in s.GroupBy) CheckNoAggregates(g, "GROUP BY");
        var groupBound = s.GroupBy.Select(g => _eb.Bind(g, scope)).ToList();
        var groupTexts = s.GroupBy.Select(g => SqlFormatter.Format(g)).ToList();

        // Distinct aggregate calls by their SQL text.
        var aggTexts = new List<string>();
        var aggCalls = new List<FunctionCallExpr>();
        foreach (var a in aggregateExprs)
        {
            var t = SqlFormatter.Format(a);
            if (!aggTexts.Contains(t)) { aggTexts.Add(t); aggCalls.Add(a); }
        }
        var aggArgs = new List<List<BoundExpr>>();
        foreach (var a in aggCalls)
        {
            var fn = AggregateFunctions.TryGet(a.UpperName, out var f) ? f : throw new InvalidOperationException();
            var args = a.Args.Count == 1 && a.Args[0] is StarExpr ? [] : a.Args.Select(x => _eb.Bind(x, scope)).ToList();
            if (a.Args.Count == 1 && a.Args[0] is StarExpr && fn.Name != "COUNT") throw new SqlException($"{fn.Name}(*) is not valid; only COUNT(*)", a.Position);
            if (args.Count < fn.MinArgs || args.Count > fn.MaxArgs)
                throw new SqlException($"Invalid number of arguments to function '{fn.Name}'. Was expecting {fn.MinArgs}{(fn.MaxArgs != fn.MinArgs ? "-" + fn.MaxArgs : "")} arguments", a.Position);
            if (fn.Name is "SUM" or "AVG" or "SUM0" or "STDDEV_POP" or "STDDEV_SAMP" or "VAR_POP" or "VAR_SAMP" or "STDDEV" or "VARIANCE" && args.Count == 1 && !args[0].Type.IsNumeric && args[0].Type.Kind != TypeKind.Null)
                throw new SqlException($"Cannot apply '{fn.Name}' to arguments of type '{fn.Name}(<{args[0].Type.WithNullable(true)}>)'. Supported form(s): '{fn.Name}(<NUMERIC>)'", a.Position);
            aggArgs.Add(args);
        }

        // Window aggregation: GROUP BY window_start, window_end over a window TVF.
        var (tvf, filters) = PeelFilters(input);
        if (tvf is LogicalWindowTableFunction w)
        {
            var n = w.Input.Schema.Count;
            var startPos = groupBound.FindIndex(g => g is BoundInputRef r && r.Index == n);
            var endPos = groupBound.FindIndex(g => g is BoundInputRef r && r.Index == n + 1);
            if (startPos >= 0 && endPos >= 0)
                return BindWindowAggregation(s, w, filters, scope, items, groupBound, groupTexts, aggTexts, aggCalls, aggArgs, startPos, endPos);
        }

        // Pre-aggregation projection: group keys, then each aggregate's arguments.
        var pre = new List<BoundExpr>(groupBound);
        var aggregateCalls = new List<AggregateCall>();
        for (var i = 0; i < aggCalls.Count; i++)
        {
            var argIdx = new List<int>();
            foreach (var arg in aggArgs[i])
            {
                argIdx.Add(pre.Count);
                pre.Add(arg);
            }
            var fn = AggregateFunctions.TryGet(aggCalls[i].UpperName, out var f) ? f : null!;
            var type = fn.ReturnType(aggArgs[i].Select(x => x.Type).ToList());
            if (fn.Name is "COUNT" && aggCalls[i].Args.Count == 0) throw new SqlException("COUNT needs an argument or *", aggCalls[i].Position);
            aggregateCalls.Add(new AggregateCall(fn, argIdx, aggCalls[i].Distinct, type, "EXPR$" + i));
        }
        var preNames = pre.Select((_, i) => i < groupBound.Count && groupBound[i] is BoundInputRef r ? scope.Entries.First(e => e.Index == r.Index).Name : "$f" + i).ToList();
        preNames = Uniquify(preNames);
        var prePlan = new LogicalProject(input, pre, preNames);
        var agg = new LogicalAggregate(prePlan, Enumerable.Range(0, groupBound.Count).ToList(), aggregateCalls, Streaming);
        return FinishAggregation(s, agg, scope, items, groupBound, groupTexts, aggTexts, aggregateCalls,
            k => k, groupBound.Count, extraRef: null);
    }

    private static List<string> Uniquify(List<string> names)
    {
        var result = new List<string>();
        foreach (var n in names)
        {
            var u = n;
            for (var k = 0; result.Contains(u, StringComparer.OrdinalIgnoreCase); k++) u = n + k;
            result.Add(u);
        }
        return result;
    }

    private static (LogicalPlan Inner, List<BoundExpr> Filters) PeelFilters(LogicalPlan plan)
    {
        var filters = new List<BoundExpr>();
        while (plan is LogicalFilter f)
        {
            filters.Add(f.Condition);
            plan = f.Input;
        }
        return (plan, filters);
    }

    private (LogicalPlan, List<BoundExpr>) BindWindowAggregation(SelectQuery s, LogicalWindowTableFunction w, List<BoundExpr> filters, Scope scope,
        List<(Expr Expr, string? Alias)> items, List<BoundExpr> groupBound, List<string> groupTexts, List<string> aggTexts,
        List<FunctionCallExpr> aggCalls, List<List<BoundExpr>> aggArgs, int startPos, int endPos)
    {
        var n = w.Input.Schema.Count;
        bool UsesWindowColumns(BoundExpr e) => e.Inputs().Any(i => i >= n);
        LogicalPlan source = w.Input;
        foreach (var f in filters)
        {
            if (UsesWindowColumns(f)) throw new SqlException("WHERE conditions on window_start/window_end/window_time are not supported with a window aggregation", s.Where!.Position);
            source = new LogicalFilter(source, f);
        }
        var otherKeys = groupBound.Where((_, i) => i != startPos && i != endPos).ToList();
        foreach (var k in otherKeys)
            if (UsesWindowColumns(k)) throw new SqlException("GROUP BY a window column other than window_start and window_end is not supported", s.Position);
        var pre = new List<BoundExpr>(otherKeys);
        var calls = new List<AggregateCall>();
        for (var i = 0; i < aggCalls.Count; i++)
        {
            var argIdx = new List<int>();
            foreach (var arg in aggArgs[i])
            {
                if (UsesWindowColumns(arg)) throw new SqlException("Aggregate arguments cannot use window columns", aggCalls[i].Position);
                argIdx.Add(pre.Count);
                pre.Add(arg);
            }
            AggregateFunctions.TryGet(aggCalls[i].UpperName, out var fn);
            calls.Add(new AggregateCall(fn, argIdx, aggCalls[i].Distinct, fn.ReturnType(aggArgs[i].Select(x => x.Type).ToList()), "EXPR$" + i));
        }
        var timeIndex = pre.Count;
        pre.Add(new BoundInputRef(w.Window.TimeColumn, w.Input.Schema[w.Window.TimeColumn].Type));
        var names = Uniquify(pre.Select((e, i) => e is BoundInputRef r ? w.Input.Schema[r.Index].Name : "$f" + i).ToList());
        var prePlan = new LogicalProject(source, pre, names);
        var g = otherKeys.Count;
        var agg = new LogicalWindowAggregate(prePlan, w.Window with { TimeColumn = timeIndex }, Enumerable.Range(0, g).ToList(), calls, []);
        // Map the original group positions to the window aggregate's output columns.
        var keyMap = new Dictionary<int, int>();
        var other = 0;
        for (var i = 0; i < groupBound.Count; i++)
            keyMap[i] = i == startPos ? g : i == endPos ? g + 1 : other++;
        return FinishAggregation(s, agg, scope, items, groupBound, groupTexts, aggTexts, calls, k => keyMap[k], g + 3,
            extraRef: (idx, type) => idx == n + 2 ? new BoundInputRef(g + 2, agg.Schema[g + 2].Type) : null);
    }

    private (LogicalPlan, List<BoundExpr>) FinishAggregation(SelectQuery s, LogicalPlan agg, Scope scope, List<(Expr Expr, string? Alias)> items,
        List<BoundExpr> groupBound, List<string> groupTexts, List<string> aggTexts, List<AggregateCall> calls,
        Func<int, int> groupPosition, int aggOffset, Func<int, SqlType, BoundExpr?>? extraRef)
    {
        var aggScope = new Scope(agg.Schema.Columns.Select((c, i) => new Scope.Entry(null, c.Name, i, c.Type)).ToList());
        var previous = _eb.Substitute;
        _eb.Substitute = (e, sc) =>
        {
            if (e is FunctionCallExpr fc && IsAggregate(fc))
            {
                var k = aggTexts.IndexOf(SqlFormatter.Format(fc));
                return new BoundInputRef(aggOffset + k, calls[k].Type);
            }
            if (e is LiteralExpr or IntervalExpr) return null;
            var text = e is ResolvedRefExpr rr ? rr.Name : SqlFormatter.Format(e);
            var gi = groupTexts.IndexOf(text);
            if (gi >= 0) return new BoundInputRef(groupPosition(gi), groupBound[gi].Type);
            int? inputIndex = e switch
            {
                ColumnRefExpr c => scope.Resolve(c.Parts, c.Position) is var (entry, fields) && fields.Count == 0 ? entry.Index : null,
                ResolvedRefExpr r => r.Index,
                _ => null,
            };
            if (inputIndex is { } idx)
            {
                gi = groupBound.FindIndex(gb => gb is BoundInputRef r && r.Index == idx);
                if (gi >= 0) return new BoundInputRef(groupPosition(gi), groupBound[gi].Type);
                if (extraRef?.Invoke(idx, groupBound.Count > 0 ? groupBound[0].Type : SqlType.Null) is { } extra) return extra;
                throw new SqlException($"Expression '{text}' is not being grouped", e.Position);
            }
            if (e is ColumnRefExpr c2) throw new SqlException($"Expression '{text}' is not being grouped", c2.Position);
            return null;
        };
        try
        {
            LogicalPlan plan = agg;
            if (s.Having is not null)
            {
                var having = _eb.Bind(s.Having, aggScope);
                RequireBoolean(having, s.Having, "HAVING");
                plan = new LogicalFilter(plan, having);
            }
            var outputs = items.Select(i => _eb.Bind(i.Expr, aggScope)).ToList();
            return (plan, outputs);
        }
        finally { _eb.Substitute = previous; }
    }
}

/// <summary>A select-list column already resolved to an input index (from <c>*</c> expansion).</summary>
internal sealed record ResolvedRefExpr(int Index, string Name) : Expr;
