using System.Text;
using Runnel.Sql.Planning;

namespace Runnel.Sql.Explain;

/// <summary>Prints plans as Flink's EXPLAIN does: one operator a line, children below with <c>+-</c> (last child) and
/// <c>:-</c> (others) markers.</summary>
public static class PlanPrinter
{
    /// <summary>The plan as an indented tree, one node a line.</summary>
    public static string Print(LogicalPlan plan) => Print(plan, p => p.Describe(), p => p.Inputs);
    /// <summary>The plan as an indented tree, one node a line.</summary>
    public static string Print(PhysicalPlan plan) => Print(plan, p => p.Describe(), p => p.Inputs);

    /// <summary>The full EXPLAIN text: the plan as bound, and the optimized physical plan.</summary>
    public static string Explain(LogicalPlan bound, PhysicalPlan physical) =>
        "== Abstract Syntax Tree ==\n" + Print(bound) + "\n== Optimized Physical Plan ==\n" + Print(physical);

    private static string Print<T>(T root, Func<T, string> describe, Func<T, IReadOnlyList<T>> children)
    {
        var sb = new StringBuilder();
        void Walk(T node, string prefix, string marker)
        {
            sb.Append(prefix).Append(marker).Append(describe(node)).Append('\n');
            var kids = children(node);
            var childPrefix = prefix + (marker.Length == 0 ? "" : marker == "+- " ? "   " : ":  ");
            for (var i = 0; i < kids.Count; i++) Walk(kids[i], childPrefix, i == kids.Count - 1 ? "+- " : ":- ");
        }
        Walk(root, "", "");
        return sb.ToString();
    }
}
