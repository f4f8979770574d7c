using Runnel.Core.Types;
using Runnel.Sql.Binding;

namespace Runnel.Sql.Planning;

/// <summary>The physical operators the execution layer instantiates, one per node.</summary>
public enum PhysicalKind
{
    /// <summary>Reads a table.</summary>
    TableSourceScan,
    /// <summary>Literal rows.</summary>
    Values,
    /// <summary>A fused filter and projection.</summary>
    Calc,
    /// <summary>Streaming GROUP BY: keyed state, changelog output.</summary>
    GroupAggregate,
    /// <summary>Batch GROUP BY: one result row per group at end of input.</summary>
    HashAggregate,
    /// <summary>TUMBLE, HOP or CUMULATE.</summary>
    WindowTableFunction,
    /// <summary>Window GROUP BY.</summary>
    WindowAggregate,
    /// <summary>Streaming join: both sides kept in keyed state.</summary>
    Join,
    /// <summary>Batch join: build a hash table on the right input, probe with the left.</summary>
    HashJoin,
    /// <summary>Lateral join with a function.</summary>
    Correlate,
    /// <summary>UNION ALL.</summary>
    Union,
    /// <summary>Sort (and limit) at end of a bounded input.</summary>
    Sort,
    /// <summary>LIMIT without ORDER BY: passes the first rows, then stops reading.</summary>
    Limit,
    /// <summary>Streaming ORDER BY .. LIMIT n: an updating Top-N.</summary>
    TopN,
    /// <summary>INSERT INTO a table.</summary>
    Sink,
}

/// <summary>A node of the physical plan. Parameters come from <see cref="Logical"/> except for
/// <see cref="PhysicalKind.Calc"/>, which carries its fused condition and projection.</summary>
public sealed class PhysicalPlan
{
    /// <summary>A node of <paramref name="kind"/> for <paramref name="logical"/>.</summary>
    public PhysicalPlan(PhysicalKind kind, LogicalPlan logical, IReadOnlyList<PhysicalPlan> inputs)
    {
        Kind = kind;
        Logical = logical;
        Inputs = inputs;
    }

    /// <summary>Which operator.</summary>
    public PhysicalKind Kind { get; }
    /// <summary>The logical node it implements.</summary>
    public LogicalPlan Logical { get; }
    /// <summary>Input nodes.</summary>
    public IReadOnlyList<PhysicalPlan> Inputs { get; }
    /// <summary>Calc: rows failing the condition are dropped (null: keep all).</summary>
    public BoundExpr? Condition { get; init; }
    /// <summary>Calc: output expressions over the input row (null: pass the row through).</summary>
    public IReadOnlyList<BoundExpr>? Projection { get; init; }
    /// <summary>The output columns.</summary>
    public Schema Schema => Logical.Schema;
    /// <summary>True when the output ends.</summary>
    public bool IsBounded => Logical.IsBounded;
    /// <summary>True when the output holds updates.</summary>
    public bool IsUpdating => Logical.IsUpdating;

    /// <summary>One line for EXPLAIN.</summary>
    public string Describe()
    {
        if (Kind != PhysicalKind.Calc) return Kind switch
        {
            PhysicalKind.HashJoin => Logical.Describe().Replace("Join(", "HashJoin(", StringComparison.Ordinal),
            PhysicalKind.TopN => Logical.Describe().Replace("Sort(", "Rank(rankType=[ROW_NUMBER], ", StringComparison.Ordinal),
            _ => Logical.Describe(),
        };
        var names = Inputs[0].Schema.Names.ToList();
        var parts = new List<string>();
        if (Projection is not null)
            parts.Add("select=[" + string.Join(", ", Projection.Select((e, i) => e is BoundInputRef r && names[r.Index] == Schema[i].Name ? Schema[i].Name : $"{e.Describe(names)} AS {Schema[i].Name}")) + "]");
        else parts.Add("select=[" + string.Join(", ", names) + "]");
        if (Condition is not null) parts.Add("where=[" + Condition.Describe(names) + "]");
        return "Calc(" + string.Join(", ", parts) + ")";
    }
}

/// <summary>Turns an optimized logical plan into physical operators: fuses Filter and Project into Calc, and picks
/// the streaming or batch algorithm for aggregates, joins and sorts.</summary>
public static class PhysicalPlanner
{
    /// <summary>The physical plan of an optimized logical plan.</summary>
    public static PhysicalPlan Plan(LogicalPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        switch (plan)
        {
            case LogicalProject { Input: LogicalFilter f } p:
                return new PhysicalPlan(PhysicalKind.Calc, p, [Plan(f.Input)]) { Condition = f.Condition, Projection = p.Exprs };
            case LogicalProject p:
                return new PhysicalPlan(PhysicalKind.Calc, p, [Plan(p.Input)]) { Projection = p.Exprs };
            case LogicalFilter f:
                return new PhysicalPlan(PhysicalKind.Calc, f, [Plan(f.Input)]) { Condition = f.Condition };
        }
        var inputs = plan.Inputs.Select(Plan).ToList();
        var kind = plan switch
        {
            LogicalTableScan => PhysicalKind.TableSourceScan,
            LogicalValues => PhysicalKind.Values,
            LogicalAggregate a => a.Streaming ? PhysicalKind.GroupAggregate : PhysicalKind.HashAggregate,
            LogicalWindowTableFunction => PhysicalKind.WindowTableFunction,
            LogicalWindowAggregate => PhysicalKind.WindowAggregate,
            LogicalJoin j => j.Streaming ? PhysicalKind.Join : PhysicalKind.HashJoin,
            LogicalCorrelate => PhysicalKind.Correlate,
            LogicalUnion => PhysicalKind.Union,
            LogicalSort s when s.Keys.Count == 0 => PhysicalKind.Limit,
            LogicalSort s => s.Streaming ? PhysicalKind.TopN : PhysicalKind.Sort,
            LogicalSink => PhysicalKind.Sink,
            _ => throw new InvalidOperationException($"No physical operator for {plan.GetType().Name}"),
        };
        return new PhysicalPlan(kind, plan, inputs);
    }
}
