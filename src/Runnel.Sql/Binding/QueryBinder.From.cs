using Runnel.Core.Errors;
using Runnel.Core.Types;
using Runnel.Sql.Ast;
using Runnel.Sql.Functions;
using Runnel.Sql.Parsing;
using Runnel.Sql.Planning;

namespace Runnel.Sql.Binding;

public sealed partial class QueryBinder
{
    private (LogicalPlan Plan, Scope Scope) BindFrom(TableRef t)
    {
        switch (t)
        {
            case NamedTableRef n: return BindNamed(n);
            case SubqueryTableRef sq:
            {
                var plan = Rename(BindQuery(sq.Query), sq.ColumnAliases, sq.Position);
                return (plan, Scope.FromSchema(plan.Schema, sq.Alias));
            }
            case JoinTableRef j: return BindJoin(j);
            case UnnestTableRef u:
            {
                // FROM UNNEST(..) alone: correlate over a single empty row.
                var one = new LogicalValues([[]], Schema.Empty);
                var fn = BindUnnest(u, new Scope([]));
                var plan = new LogicalCorrelate(one, fn, outer: false);
                return (plan, Scope.FromSchema(plan.Schema, u.Alias));
            }
            case LateralTableRef l:
            {
                var one = new LogicalValues([[]], Schema.Empty);
                var fn = BindLateralFunction(l, new Scope([]));
                var plan = new LogicalCorrelate(one, fn, outer: false);
                return (plan, Scope.FromSchema(plan.Schema, l.Alias));
            }
            case TableFunctionRef f: return BindTableFunction(f);
            default: throw new SqlException($"Unsupported FROM item {t.GetType().Name}", t.Position);
        }
    }

    private LogicalPlan Rename(LogicalPlan plan, IReadOnlyList<string>? aliases, SourcePosition position)
    {
        if (aliases is null) return plan;
        if (aliases.Count != plan.Schema.Count)
            throw new SqlException($"List of column aliases must have same degree as table; table has {plan.Schema.Count} columns {plan.Schema}, whereas alias list has {aliases.Count} columns", position);
        return new LogicalProject(plan, plan.Schema.Columns.Select((c, i) => (BoundExpr)new BoundInputRef(i, c.Type)).ToList(), aliases);
    }

    private CommonTableExpr? FindCte(string name)
    {
        for (var i = _ctes.Count - 1; i >= 0; i--)
            if (_ctes[i].TryGetValue(name, out var cte)) return cte;
        return null;
    }

    private (LogicalPlan, Scope) BindNamed(NamedTableRef n)
    {
        var alias = n.Alias ?? n.Name.Last;
        if (n.Name.Parts.Count == 1 && FindCte(n.Name.Last) is { } cte)
        {
            // Bind the CTE body outside its own scope level so it cannot refer to itself.
            var plan = Rename(BindQuery(cte.Query), cte.Columns, n.Position);
            return (plan, Scope.FromSchema(plan.Schema, alias));
        }
        var name = CatalogNames.ObjectName(n.Name, n.Position);
        if (_ctx.Catalog.TryGetTable(name, out var table))
        {
            var resolved = ResolveTable(table);
            var scan = new LogicalTableScan(resolved, _ctx.Capabilities.IsBounded(table, _ctx.BatchMode));
            return (scan, Scope.FromSchema(scan.Schema, alias));
        }
        if (_ctx.Catalog.TryGetView(name, out var view))
        {
            if (!_expandingViews.Add(name)) throw new SqlException($"View '{name}' refers to itself", n.Position);
            try
            {
                QueryExpr query;
                try { query = Parser.ParseQuery(view.QueryText); }
                catch (SqlException e) { throw new SqlException($"Stored definition of view '{name}' does not parse: {e.Message}", n.Position); }
                var plan = Rename(BindQuery(query), view.Columns, n.Position);
                return (plan, Scope.FromSchema(plan.Schema, alias));
            }
            finally { _expandingViews.Remove(name); }
        }
        var candidates = _ctx.Catalog.TableNames.Concat(_ctx.Catalog.ViewNames).Concat(_ctes.SelectMany(c => c.Keys));
        throw new SqlException($"Object '{n.Name}' not found." + NameSuggester.Hint(n.Name.Last, candidates), n.Position);
    }

    private (LogicalPlan, Scope) BindJoin(JoinTableRef j)
    {
        var (left, leftScope) = BindFrom(j.Left);
        if (j.Right is LateralTableRef or UnnestTableRef || (j.Right is SubqueryTableRef && IsLateralSubquery(j.Right)))
        {
            var outer = j.Kind == JoinKind.Left;
            if (j.Kind is not (JoinKind.Comma or JoinKind.Cross or JoinKind.Inner or JoinKind.Left))
                throw new SqlException("Only CROSS JOIN, INNER JOIN or LEFT JOIN .. ON TRUE are supported with LATERAL TABLE and UNNEST", j.Position);
            if (j.On is not null && !(j.On is LiteralExpr { Kind: LiteralKind.Boolean } b && b.Text == "TRUE"))
                throw new SqlException("A join with LATERAL TABLE or UNNEST must use ON TRUE", j.On.Position);
            CorrelatedFunction fn;
            string? alias;
            switch (j.Right)
            {
                case UnnestTableRef u: fn = BindUnnest(u, leftScope); alias = u.Alias; break;
                case LateralTableRef l: fn = BindLateralFunction(l, leftScope); alias = l.Alias; break;
                default: throw new SqlException("LATERAL subqueries are not supported yet; use LATERAL TABLE(..)", j.Right.Position);
            }
            if (fn is TableFunctionCall && left.IsUpdating)
                throw new SqlException($"Table function {((TableFunctionCall)fn).Name} needs an append-only input, but its input is updating (an aggregate, outer join or Top-N over unbounded input)", j.Right.Position);
            var plan = new LogicalCorrelate(left, fn, outer);
            var rightScope = new Scope(fn.Columns.Select((c, i) => new Scope.Entry(alias, c.Name, i, c.Type)).ToList());
            return (plan, leftScope.Concat(rightScope));
        }
        var (right, rightScope2) = BindFrom(j.Right);
        var scope = leftScope.Concat(rightScope2);
        var kind = j.Kind switch
        {
            JoinKind.Left => LogicalJoinKind.Left,
            JoinKind.Right => LogicalJoinKind.Right,
            JoinKind.Full => LogicalJoinKind.Full,
            _ => LogicalJoinKind.Inner,
        };
        var leftKeys = new List<int>();
        var rightKeys = new List<int>();
        var residual = new List<BoundExpr>();
        if (j.On is not null)
        {
            CheckNoAggregates(j.On, "ON");
            var cond = _eb.Bind(j.On, scope);
            RequireBoolean(cond, j.On, "ON");
            var n = left.Schema.Count;
            foreach (var c in Conjuncts(cond))
            {
                if (c is BoundCall { Function.Name: "=" } eq && eq.Args[0] is var a && eq.Args[1] is var b2 &&
                    StripCast(a) is BoundInputRef ra && StripCast(b2) is BoundInputRef rb && ((ra.Index < n) != (rb.Index < n)) &&
                    a.Type.SameKindAs(b2.Type))
                {
                    var (l, r) = ra.Index < n ? (ra, rb) : (rb, ra);
                    if (StripCast(a) == a && StripCast(b2) == b2)
                    {
                        leftKeys.Add(l.Index);
                        rightKeys.Add(r.Index - n);
                        continue;
                    }
                }
                residual.Add(c);
            }
        }
        else if (j.Kind is not (JoinKind.Comma or JoinKind.Cross))
            throw new SqlException("JOIN needs an ON condition", j.Position);
        if (kind != LogicalJoinKind.Inner && leftKeys.Count == 0)
            throw new SqlException("Outer joins need at least one equality condition between the two sides", j.Position);
        var combined = residual.Count == 0 ? null : residual.Aggregate((x, y) => _eb.Call("AND", [x, y], j.Position));
        var join = new LogicalJoin(left, right, kind, leftKeys, rightKeys, combined, Streaming);
        // Re-derive nullability of outer sides in scope types.
        var joinScope = new Scope(scope.Entries.Select(e => e with { Type = join.Schema[e.Index].Type }).ToList());
        return (join, joinScope);
    }

    private static bool IsLateralSubquery(TableRef t) => false;

    private static BoundExpr StripCast(BoundExpr e) => e is BoundCast c ? StripCast(c.Operand) : e;

    /// <summary>The AND-ed parts of a condition.</summary>
    public static IEnumerable<BoundExpr> Conjuncts(BoundExpr e)
    {
        if (e is BoundCall { Function.Name: "AND" } and)
        {
            foreach (var a in and.Args)
                foreach (var c in Conjuncts(a))
                    yield return c;
        }
        else yield return e;
    }

    private UnnestFunction BindUnnest(UnnestTableRef u, Scope scope)
    {
        if (u.Arrays.Count != 1) throw new SqlException("UNNEST of several arrays at once is not supported yet", u.Position);
        var coll = _eb.Bind(u.Arrays[0], scope);
        var cols = new List<Column>();
        switch (coll.Type.Kind)
        {
            case TypeKind.Array when coll.Type.Element!.Kind == TypeKind.Row:
                cols.AddRange(coll.Type.Element.Fields.Select(f => new Column(f.Name, f.Type)));
                break;
            case TypeKind.Array:
                cols.Add(new Column("EXPR$0", coll.Type.Element!));
                break;
            case TypeKind.Map:
                cols.Add(new Column("KEY", coll.Type.Element!));
                cols.Add(new Column("VALUE", coll.Type.ValueType!));
                break;
            default:
                throw new SqlException($"UNNEST expects an ARRAY or MAP, got {coll.Type}", u.Position);
        }
        if (u.WithOrdinality) cols.Add(new Column("ORDINALITY", SqlType.Int.WithNullable(false)));
        return new UnnestFunction(coll, u.WithOrdinality, ApplyAliases(cols, u.ColumnAliases, u.Position));
    }

    private static List<Column> ApplyAliases(List<Column> cols, IReadOnlyList<string>? aliases, SourcePosition position)
    {
        if (aliases is null) return cols;
        if (aliases.Count != cols.Count)
            throw new SqlException($"List of column aliases must have same degree as the function output: it has {cols.Count} columns ({string.Join(", ", cols.Select(c => c.Name))}), the alias list has {aliases.Count}", position);
        return cols.Select((c, i) => c with { Name = aliases[i] }).ToList();
    }

    private CorrelatedFunction BindLateralFunction(LateralTableRef l, Scope scope)
    {
        var name = l.Call.UpperName;
        var binder = _ctx.FindTableFunction(name);
        if (binder is null)
        {
            var known = _ctx.TableFunctions.SelectMany(t => t.Names);
            throw new SqlException($"No table function named '{l.Call.Name}' found." + NameSuggester.Hint(name, known), l.Call.Position);
        }
        var fn = binder.BindLateral(l.Call, scope, _eb, _ctx);
        var cols = ApplyAliases(fn.Columns.ToList(), l.ColumnAliases, l.Position);
        return fn switch
        {
            TableFunctionCall t => t with { OutputColumns = cols },
            _ => fn,
        };
    }

    private (LogicalPlan, Scope) BindTableFunction(TableFunctionRef f)
    {
        var name = f.Call.UpperName;
        var args = f.Call.Args;
        if (args.Count == 0 || args[0] is not TableArgExpr tableArg)
            throw new SqlException($"The first argument of table-valued function {name} must be TABLE <name>", f.Call.Position);
        var (input, inputScope) = BindNamed(new NamedTableRef(tableArg.Table, null) { Position = tableArg.Position });
        LogicalPlan plan;
        if (name is "TUMBLE" or "HOP" or "CUMULATE")
            plan = BindWindow(f.Call, input, inputScope);
        else if (_ctx.FindTableFunction(name) is { } binder)
            plan = binder.BindTableValued(f.Call, input, inputScope, _eb, _ctx);
        else
            throw new SqlException($"No table-valued function named '{f.Call.Name}' found (window functions: TUMBLE, HOP, CUMULATE)", f.Call.Position);
        plan = Rename(plan, f.ColumnAliases, f.Position);
        return (plan, Scope.FromSchema(plan.Schema, f.Alias));
    }

    private LogicalPlan BindWindow(FunctionCallExpr call, LogicalPlan input, Scope scope)
    {
        var name = call.UpperName;
        var expected = name == "TUMBLE" ? "TUMBLE(TABLE t, DESCRIPTOR(time_col), size [, offset])"
            : name == "HOP" ? "HOP(TABLE t, DESCRIPTOR(time_col), slide, size [, offset])"
            : "CUMULATE(TABLE t, DESCRIPTOR(time_col), step, size [, offset])";
        var min = name == "TUMBLE" ? 3 : 4;
        if (call.Args.Count < min || call.Args.Count > min + 1 || call.Args[1] is not DescriptorExpr d || d.Columns.Count != 1)
            throw new SqlException($"Invalid arguments to {name}; expected {expected}", call.Position);
        var (entry, _) = scope.Resolve([d.Columns[0]], d.Position);
        var timeType = entry.Type;
        if (!timeType.IsTimestamp)
            throw new SqlException($"The window function requires the timecol to be a TIMESTAMP or TIMESTAMP_LTZ, but is {timeType}", d.Position);
        if (Streaming && !input.IsBounded && !entry.IsRowtime)
            throw new SqlException($"The window function requires the timecol to be a time attribute type (declared with a WATERMARK), but '{entry.Name}' is {timeType}", d.Position);
        long Millis(Expr e)
        {
            var b = _eb.Bind(e, new Scope([]));
            if (b is BoundLiteral { Value: TimeSpan ts } && ts > TimeSpan.Zero) return (long)ts.TotalMilliseconds;
            throw new SqlException($"{name} sizes must be positive day-time INTERVAL literals, e.g. INTERVAL '10' MINUTES", e.Position);
        }
        WindowSpec spec;
        if (name == "TUMBLE")
            spec = new WindowSpec(WindowKind.Tumble, entry.Index, Millis(call.Args[2]), Millis(call.Args[2]), call.Args.Count > 3 ? Millis(call.Args[3]) : 0);
        else
        {
            var step = Millis(call.Args[2]);
            var size = Millis(call.Args[3]);
            if (size % step != 0) throw new SqlException($"{name} window size must be an integral multiple of the {(name == "HOP" ? "slide" : "step")}", call.Position);
            spec = new WindowSpec(name == "HOP" ? WindowKind.Hop : WindowKind.Cumulate, entry.Index, size, step, call.Args.Count > 4 ? Millis(call.Args[4]) : 0);
        }
        return new LogicalWindowTableFunction(input, spec);
    }
}
