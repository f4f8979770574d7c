using System.Globalization;
using Runnel.Core.Data;
using Runnel.Core.Errors;
using Runnel.Core.Types;
using Runnel.Models.Abstractions;
using Runnel.Models.Evaluation;
using Runnel.Sql.Ast;
using Runnel.Sql.Binding;
using Runnel.Sql.Functions;
using Runnel.Sql.Planning;

namespace Runnel.Engine.Models;

/// <summary>
/// <c>SELECT ML_EVALUATE(model[$n|$all], label, features..) FROM t</c>: runs the model on every row and aggregates the
/// task's metrics (<see cref="Metrics"/>) into a <c>MAP&lt;STRING, DOUBLE&gt;</c>. With <c>$all</c>, one row per
/// version, <c>VersionId</c> first. For clustering there is no label: every argument after the model is a feature.
/// On bounded input (batch mode) the result is one final row; in streaming mode it is an updating row.
/// </summary>
internal sealed class MlEvaluateRewriter(RunnelEngine engine) : ISelectRewriter
{
    public SelectRewrite? Rewrite(SelectQuery select, LogicalPlan input, Scope scope, ExpressionBinder binder, BindContext context)
    {
        var found = select.Items.SelectMany(i => ExprWalker.Descendants(i.Expr)).OfType<FunctionCallExpr>().FirstOrDefault(f => f.UpperName == "ML_EVALUATE");
        if (found is null) return null;
        if (select.Items.Count != 1 || select.Items[0].Expr is not FunctionCallExpr call || call.UpperName != "ML_EVALUATE" || select.GroupBy.Count > 0 || select.Having is not null)
            throw new SqlException("ML_EVALUATE must be the only item of its SELECT, without GROUP BY: SELECT ML_EVALUATE(model, label, features..) FROM t", found.Position);
        if (call.Args.Count < 2) throw new SqlException("ML_EVALUATE needs the model, the label and the model's input columns", call.Position);
        var functions = new ModelFunctions(engine);
        var reference = ModelFunctions.Reference(call.Args[0]);
        var (model, defaultVersion) = functions.Resolve(reference, call.Args[0].Position, allowAll: true);
        var versions = reference.All ? model.Versions.Select(v => v.Id).Order().ToList() : [reference.Version ?? defaultVersion];
        var clustering = model.Task == ModelTasks.Clustering;
        var labelExprs = clustering ? [] : new[] { call.Args[1] };
        var features = call.Args.Skip(clustering ? 1 : 2).ToList();

        // Evaluate the label and features once, then call each version on them.
        var preExprs = labelExprs.Concat(features).Select(e => binder.Bind(e, scope)).ToList();
        var preNames = preExprs.Select((_, i) => "$f" + i).ToList();
        var pre = new LogicalProject(input, preExprs, preNames);
        var preScope = Scope.FromSchema(pre.Schema, null);
        var featureRefs = features.Select((_, i) => (Expr)new ColumnRefExpr([preNames[i + labelExprs.Length]])).ToList();
        var name = select.Items[0].Alias ?? "EXPR$0";
        var mapType = SqlType.Map(SqlType.String.WithNullable(false), SqlType.Double).WithNullable(false);
        var task = model.Task;
        var aggregate = new AggregateFunction("ML_EVALUATE", _ => mapType, (_, _) => new EvaluationAccumulator(task, clustering), 0, int.MaxValue);
        var plans = new List<LogicalPlan>();
        foreach (var v in versions)
        {
            var modelArg = new LiteralExpr(LiteralKind.String, $"{reference.Name}${v}") { Position = call.Args[0].Position };
            var fn = functions.BindCall("ML_PREDICT", modelArg, featureRefs, call.Position, preScope, binder, preNames);
            var correlate = new LogicalCorrelate(pre, fn, outer: false);
            var predicted = pre.Schema.Count;
            IReadOnlyList<int> args = clustering ? [.. Enumerable.Range(0, features.Count), predicted] : [0, predicted];
            LogicalPlan plan = new LogicalAggregate(correlate, [], [new AggregateCall(aggregate, args, false, mapType, name)], !context.BatchMode);
            if (reference.All)
                plan = new LogicalProject(plan, [new BoundLiteral(v, SqlType.Int.WithNullable(false)), new BoundInputRef(0, mapType)], ["VersionId", name]);
            plans.Add(plan);
        }
        LogicalPlan final = plans.Count == 1 ? plans[0] : new LogicalUnion(plans, plans[0].Schema);
        // On bounded input the versions come out in order.
        if (plans.Count > 1 && final.IsBounded && !final.IsUpdating) final = new LogicalSort(final, [new Sql.Planning.SortKey(0, false, true)], null, 0, streaming: false);
        return new SelectRewrite(input, scope, Final: final);
    }

    /// <summary>Keeps every (expected, predicted[, features]) triple (retractable) and computes the metrics on demand.</summary>
    private sealed class EvaluationAccumulator(string task, bool clustering) : IAccumulator
    {
        private readonly List<(object? Expected, object? Predicted, double[]? Features)> _pairs = [];
        public long RowCount { get; private set; }

        private (object?, object?, double[]?) Split(object? value)
        {
            var fields = ((RowValue)value!).Fields;
            if (!clustering) return (fields[0], fields[1], null);
            var f = fields[..^1].Select(x => x is null ? 0 : Convert.ToDouble(x is bool b ? (b ? 1 : 0) : x, CultureInfo.InvariantCulture)).ToArray();
            return (null, fields[^1], f);
        }

        public void Accumulate(object? value)
        {
            RowCount++;
            _pairs.Add(Split(value));
        }

        public void Retract(object? value)
        {
            RowCount--;
            var (e, p, _) = Split(value);
            var i = _pairs.FindIndex(x => ValueComparer.Instance.Equals(x.Expected, e) && ValueComparer.Instance.Equals(x.Predicted, p));
            if (i >= 0) _pairs.RemoveAt(i);
        }

        public object? GetValue() =>
            new MapValue(Metrics.Compute(task, _pairs).Select(kv => new KeyValuePair<object?, object?>(kv.Key, kv.Value)));
    }
}
