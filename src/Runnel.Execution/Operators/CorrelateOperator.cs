using System.Runtime.CompilerServices;
using Runnel.Core.Data;
using Runnel.Core.Errors;
using Runnel.Core.Types;
using Runnel.Execution.Expressions;
using Runnel.Execution.Runtime;
using Runnel.Sql.Planning;

namespace Runnel.Execution.Operators;

/// <summary>
/// Lateral join of each input row with the rows of a function of it: UNNEST of an array (ROW elements flattened into
/// columns) or map (key, value), or a registered table function evaluated batch by batch. With
/// <see cref="LogicalCorrelate.Outer"/> a row with no function rows is kept with NULLs.
/// </summary>
public sealed class CorrelateOperator(Operator input, LogicalCorrelate node) : Operator(node.Schema)
{
    /// <inheritdoc />
    public override async IAsyncEnumerable<RowBatch> ExecuteAsync(JobContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var n = node.Input.Schema.Count;
        var m = node.Function.Columns.Count;
        ITableFunctionEvaluator? evaluator = null;
        CompiledExpr[]? args = null;
        CompiledExpr? collection = null;
        UnnestFunction? unnest = null;
        switch (node.Function)
        {
            case UnnestFunction u:
                unnest = u;
                collection = ExpressionCompiler.Compile(u.Collection);
                break;
            case TableFunctionCall call:
                var runtime = context.TableFunctions.FirstOrDefault(t => t.Names.Contains(call.Name, StringComparer.OrdinalIgnoreCase))
                    ?? throw new RunnelException($"Table function '{call.Name}' has no runtime registered");
                evaluator = runtime.Create(call, context);
                args = call.Args.Select(ExpressionCompiler.Compile).ToArray();
                break;
        }
        try
        {
            await foreach (var batch in input.ExecuteAsync(context, cancellationToken).ConfigureAwait(false))
            {
                var output = new List<Row>();
                IReadOnlyList<IReadOnlyList<object?[]>> results;
                if (evaluator is not null)
                {
                    var tuples = batch.Rows.Select(r => args!.Select(a => a(r.Values)).ToArray()).ToList();
                    results = tuples.Count == 0 ? [] : await evaluator.EvaluateAsync(tuples, cancellationToken).ConfigureAwait(false);
                }
                else results = batch.Rows.Select(r => Unnest(unnest!, collection!(r.Values))).ToList();
                for (var i = 0; i < batch.Rows.Count; i++)
                {
                    var row = batch.Rows[i];
                    var produced = results[i];
                    if (produced.Count == 0 && node.Outer) produced = [new object?[m]];
                    foreach (var f in produced)
                    {
                        var values = new object?[n + m];
                        Array.Copy(row.Values, values, n);
                        Array.Copy(f, 0, values, n, Math.Min(m, f.Length));
                        output.Add(new Row(values, row.Kind));
                    }
                }
                yield return new RowBatch(output, batch.Watermark);
            }
        }
        finally
        {
            if (evaluator is not null) await evaluator.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static IReadOnlyList<object?[]> Unnest(UnnestFunction u, object? value)
    {
        var result = new List<object?[]>();
        switch (value)
        {
            case null: break;
            case object?[] array:
                var flatten = u.Collection.Type.Element!.Kind == TypeKind.Row;
                for (var i = 0; i < array.Length; i++)
                {
                    var fields = flatten ? (array[i] as RowValue)?.Fields ?? new object?[u.Collection.Type.Element.Fields.Count] : [array[i]];
                    result.Add(u.WithOrdinality ? [.. fields, i + 1] : fields);
                }
                break;
            case MapValue map:
                var k = 0;
                foreach (var e in map.Entries)
                    result.Add(u.WithOrdinality ? [e.Key, e.Value, ++k] : [e.Key, e.Value]);
                break;
        }
        return result;
    }
}
