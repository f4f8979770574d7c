using Runnel.Sql.Binding;

namespace Runnel.Sql.Planning.Rules;

/// <summary>
/// Computes, from the root down, which columns each operator actually needs, and records at every table scan the
/// columns the rest of the plan reads, so the format skips decoding the others (a JSON reader does not materialise
/// unused fields; computed columns nobody reads are not evaluated).
/// </summary>
public sealed class ProjectionPushDownRule : IPlanRule
{
    /// <summary>The name.</summary>
    public string Name => "ProjectionPushDown";

    /// <inheritdoc />
    public LogicalPlan Apply(LogicalPlan plan) => Prune(plan, All(plan));

    private static HashSet<int> All(LogicalPlan p) => Enumerable.Range(0, p.Schema.Count).ToHashSet();

    private static LogicalPlan Prune(LogicalPlan plan, HashSet<int> required)
    {
        switch (plan)
        {
            case LogicalTableScan scan:
            {
                var used = new HashSet<int>(required);
                scan.Filter?.CollectInputs(used);
                if (scan.Table.RowtimeIndex >= 0)
                {
                    used.Add(scan.Table.RowtimeIndex);
                    scan.Table.Watermark?.CollectInputs(used);
                }
                // Computed columns need their inputs.
                foreach (var i in used.ToList())
                    scan.Table.Computed[i]?.CollectInputs(used);
                return scan.With(scan.Filter, used);
            }
            case LogicalProject p:
            {
                var need = new HashSet<int>();
                foreach (var i in required) p.Exprs[i].CollectInputs(need);
                return new LogicalProject(Prune(p.Input, need), p.Exprs, p.Names);
            }
            case LogicalFilter f:
            {
                var need = new HashSet<int>(required);
                f.Condition.CollectInputs(need);
                return new LogicalFilter(Prune(f.Input, need), f.Condition);
            }
            case LogicalAggregate a:
            {
                var need = new HashSet<int>(a.GroupKeys);
                foreach (var c in a.Aggregates) need.UnionWith(c.Args);
                return a.WithInputs([Prune(a.Input, need)]);
            }
            case LogicalWindowAggregate w:
            {
                var need = new HashSet<int>(w.GroupKeys) { w.Window.TimeColumn };
                foreach (var c in w.Aggregates) need.UnionWith(c.Args);
                return w.WithInputs([Prune(w.Input, need)]);
            }
            case LogicalWindowTableFunction t:
            {
                var n = t.Input.Schema.Count;
                var need = required.Where(i => i < n).ToHashSet();
                need.Add(t.Window.TimeColumn);
                return t.WithInputs([Prune(t.Input, need)]);
            }
            case LogicalJoin j:
            {
                var n = j.Left.Schema.Count;
                var all = new HashSet<int>(required);
                j.Residual?.CollectInputs(all);
                var left = all.Where(i => i < n).Concat(j.LeftKeys).ToHashSet();
                var right = all.Where(i => i >= n).Select(i => i - n).Concat(j.RightKeys).ToHashSet();
                return j.WithInputs([Prune(j.Left, left), Prune(j.Right, right)]);
            }
            case LogicalCorrelate c:
            {
                var n = c.Input.Schema.Count;
                var need = required.Where(i => i < n).ToHashSet();
                switch (c.Function)
                {
                    case UnnestFunction u: u.Collection.CollectInputs(need); break;
                    case TableFunctionCall t: foreach (var a in t.Args) a.CollectInputs(need); break;
                }
                return c.WithInputs([Prune(c.Input, need)]);
            }
            case LogicalSort s:
            {
                var need = new HashSet<int>(required);
                foreach (var k in s.Keys) need.Add(k.Column);
                return s.WithInputs([Prune(s.Input, need)]);
            }
            case LogicalUnion u:
                return u.WithInputs(u.Inputs.Select(i => Prune(i, new HashSet<int>(required))).ToList());
            case LogicalSink sink:
                return sink.WithInputs([Prune(sink.Input, All(sink.Input))]);
            default:
                return plan.WithInputs(plan.Inputs.Select(i => Prune(i, All(i))).ToList());
        }
    }
}

/// <summary>Removes projections that pass every input column through unchanged under the same names.</summary>
public sealed class RemoveIdentityProjectRule : IPlanRule
{
    /// <summary>The name.</summary>
    public string Name => "RemoveIdentityProject";

    /// <inheritdoc />
    public LogicalPlan Apply(LogicalPlan plan) =>
        Optimizer.Transform(plan, p => p is LogicalProject proj && proj.IsIdentity ? proj.Input : p);
}
