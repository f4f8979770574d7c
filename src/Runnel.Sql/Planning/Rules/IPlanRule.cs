namespace Runnel.Sql.Planning.Rules;

/// <summary>A rewrite of a logical plan that keeps its result: same rows, same output schema.</summary>
public interface IPlanRule
{
    /// <summary>The rule's name, for messages.</summary>
    string Name { get; }
    /// <summary>The rewritten plan (the same plan when nothing applies).</summary>
    LogicalPlan Apply(LogicalPlan plan);
}

/// <summary>Runs the rules in a fixed order, checking after each that the output schema is unchanged (a rule that
/// changes it is a bug, reported at once rather than as wrong results).</summary>
public static class Optimizer
{
    /// <summary>The rule order. Filters are pushed down before projections are pruned, so the columns a pushed filter
    /// reads count as used; identity projections are removed last.</summary>
    public static readonly IReadOnlyList<IPlanRule> DefaultRules =
    [
        new FilterPushDownRule(),
        new ProjectionPushDownRule(),
        new RemoveIdentityProjectRule(),
    ];

    /// <summary>The plan after every rule, in order.</summary>
    public static LogicalPlan Optimize(LogicalPlan plan, IReadOnlyList<IPlanRule>? rules = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        foreach (var rule in rules ?? DefaultRules)
        {
            var next = rule.Apply(plan);
            if (next.Schema.Count != plan.Schema.Count || !next.Schema.Columns.Zip(plan.Schema.Columns).All(p => p.First.Type.SameKindAs(p.Second.Type)))
                throw new InvalidOperationException($"Rule {rule.Name} changed the plan's schema from {plan.Schema} to {next.Schema}");
            plan = next;
        }
        return plan;
    }

    /// <summary>Rebuilds <paramref name="plan"/> bottom-up, applying <paramref name="rewrite"/> to every node.</summary>
    public static LogicalPlan Transform(LogicalPlan plan, Func<LogicalPlan, LogicalPlan> rewrite)
    {
        var inputs = plan.Inputs.Select(i => Transform(i, rewrite)).ToList();
        var rebuilt = inputs.SequenceEqual(plan.Inputs) ? plan : plan.WithInputs(inputs);
        return rewrite(rebuilt);
    }
}
