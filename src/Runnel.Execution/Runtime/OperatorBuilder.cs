using Runnel.Execution.Operators;
using Runnel.Sql.Planning;

namespace Runnel.Execution.Runtime;

/// <summary>Instantiates the operator tree of a physical plan, one operator per node.</summary>
public static class OperatorBuilder
{
    /// <summary>The operator tree for <paramref name="plan"/>; throws <see cref="InvalidOperationException"/> for a node kind with no operator.</summary>
    public static Operator Build(PhysicalPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var inputs = plan.Inputs.Select(Build).ToList();
        return plan.Kind switch
        {
            PhysicalKind.TableSourceScan => new ScanOperator((LogicalTableScan)plan.Logical),
            PhysicalKind.Values => new ValuesOperator((LogicalValues)plan.Logical),
            PhysicalKind.Calc => new CalcOperator(inputs[0], plan.Condition, plan.Projection, plan.Schema),
            PhysicalKind.GroupAggregate => new GroupAggregateOperator(inputs[0], (LogicalAggregate)plan.Logical),
            PhysicalKind.HashAggregate => new HashAggregateOperator(inputs[0], (LogicalAggregate)plan.Logical),
            PhysicalKind.WindowTableFunction => new WindowTableFunctionOperator(inputs[0], (LogicalWindowTableFunction)plan.Logical),
            PhysicalKind.WindowAggregate => new WindowAggregateOperator(inputs[0], (LogicalWindowAggregate)plan.Logical),
            PhysicalKind.Join => new StreamingJoinOperator(inputs[0], inputs[1], (LogicalJoin)plan.Logical),
            PhysicalKind.HashJoin => new HashJoinOperator(inputs[0], inputs[1], (LogicalJoin)plan.Logical),
            PhysicalKind.Correlate => new CorrelateOperator(inputs[0], (LogicalCorrelate)plan.Logical),
            PhysicalKind.Union => new UnionOperator(inputs, plan.Schema),
            PhysicalKind.Sort => new SortOperator(inputs[0], ((LogicalSort)plan.Logical).Keys, ((LogicalSort)plan.Logical).Limit, ((LogicalSort)plan.Logical).Offset),
            PhysicalKind.Limit => new LimitOperator(inputs[0], ((LogicalSort)plan.Logical).Limit, ((LogicalSort)plan.Logical).Offset),
            PhysicalKind.TopN => new TopNOperator(inputs[0], ((LogicalSort)plan.Logical).Keys, ((LogicalSort)plan.Logical).Limit ?? long.MaxValue, ((LogicalSort)plan.Logical).Offset),
            PhysicalKind.Sink => new SinkOperator(inputs[0], (LogicalSink)plan.Logical),
            _ => throw new InvalidOperationException($"No operator for {plan.Kind}"),
        };
    }
}
