using Runnel.Sql.Binding;

namespace Runnel.Sql.Planning.Rules;

/// <summary>
/// Moves filter conditions towards the sources: through projections that pass the filtered columns on unchanged,
/// into each side of an inner join (and the preserved side of an outer join), below a correlate when they read only
/// its input, into every branch of a UNION ALL, and finally into the table scan, which drops rows right after
/// decoding. Non-deterministic conditions are never moved.
/// </summary>
public sealed class FilterPushDownRule : IPlanRule
{
    /// <summary>The name.</summary>
    public string Name => "FilterPushDown";

    /// <inheritdoc />
    public LogicalPlan Apply(LogicalPlan plan) => Push(plan);

    private static LogicalPlan Push(LogicalPlan plan)
    {
        if (plan is LogicalFilter f)
        {
            var input = Push(f.Input);
            return PushInto(input, QueryBinder.Conjuncts(f.Condition).ToList());
        }
        var inputs = plan.Inputs.Select(Push).ToList();
        return inputs.SequenceEqual(plan.Inputs) ? plan : plan.WithInputs(inputs);
    }

    private static bool Deterministic(BoundExpr e) => e switch
    {
        BoundCall c => c.Function.IsDeterministic && c.Args.All(Deterministic),
        BoundCast c => Deterministic(c.Operand),
        BoundCase c => c.Whens.All(w => Deterministic(w.When) && Deterministic(w.Then)) && Deterministic(c.Else),
        _ => true,
    };

    private static LogicalPlan Wrap(LogicalPlan input, List<BoundExpr> conds) =>
        conds.Count == 0 ? input : new LogicalFilter(input, And(conds));

    private static BoundExpr And(List<BoundExpr> conds) => conds.Count == 1 ? conds[0] :
        conds.Aggregate((a, b) => new BoundCall(AndFunction, [a, b], Core.Types.SqlType.Boolean.WithNullable(a.Type.IsNullable || b.Type.IsNullable), AndFunction.Resolve([a.Type, b.Type]).Invoke));

    private static readonly Functions.ScalarFunction AndFunction = new Functions.BuiltinFunctions().Get("AND");

    private static LogicalPlan PushInto(LogicalPlan input, List<BoundExpr> conds)
    {
        var movable = conds.Where(Deterministic).ToList();
        var stay = conds.Where(c => !Deterministic(c)).ToList();
        switch (input)
        {
            case LogicalTableScan scan when movable.Count > 0:
            {
                var all = scan.Filter is null ? movable : [scan.Filter, .. movable];
                return Wrap(scan.With(And(all), scan.UsedColumns), stay);
            }
            case LogicalFilter inner:
                return PushInto(inner.Input, [.. QueryBinder.Conjuncts(inner.Condition), .. conds]);
            case LogicalProject p:
            {
                var down = new List<BoundExpr>();
                var keep = new List<BoundExpr>(stay);
                foreach (var c in movable)
                {
                    var ins = c.Inputs();
                    if (ins.All(i => p.Exprs[i] is BoundInputRef))
                        down.Add(c.Remap(i => ((BoundInputRef)p.Exprs[i]).Index));
                    else keep.Add(c);
                }
                if (down.Count == 0) return Wrap(input, conds);
                return Wrap(new LogicalProject(PushInto(p.Input, down), p.Exprs, p.Names), keep);
            }
            case LogicalJoin j:
            {
                var n = j.Left.Schema.Count;
                var left = new List<BoundExpr>();
                var right = new List<BoundExpr>();
                var keep = new List<BoundExpr>(stay);
                foreach (var c in movable)
                {
                    var ins = c.Inputs();
                    if (ins.Count > 0 && ins.All(i => i < n) && j.Kind is LogicalJoinKind.Inner or LogicalJoinKind.Left) left.Add(c);
                    else if (ins.Count > 0 && ins.All(i => i >= n) && j.Kind is LogicalJoinKind.Inner or LogicalJoinKind.Right) right.Add(c.Remap(i => i - n));
                    else keep.Add(c);
                }
                if (left.Count == 0 && right.Count == 0) return Wrap(input, conds);
                var newJoin = new LogicalJoin(left.Count > 0 ? PushInto(j.Left, left) : j.Left, right.Count > 0 ? PushInto(j.Right, right) : j.Right,
                    j.Kind, j.LeftKeys, j.RightKeys, j.Residual, j.Streaming);
                return Wrap(newJoin, keep);
            }
            case LogicalCorrelate c:
            {
                var n = c.Input.Schema.Count;
                var down = movable.Where(x => x.Inputs().All(i => i < n)).ToList();
                var keep = conds.Except(down).ToList();
                if (down.Count == 0) return Wrap(input, conds);
                return Wrap(new LogicalCorrelate(PushInto(c.Input, down), c.Function, c.Outer), keep);
            }
            case LogicalUnion u when stay.Count == 0:
                return new LogicalUnion(u.Inputs.Select(i => PushInto(i, conds)).ToList(), u.Schema);
            default:
                return Wrap(input, conds);
        }
    }
}
