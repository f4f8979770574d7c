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
            if (evaluator is not null)
            {
                await foreach (var (batch, results) in PipelinedAsync(evaluator, args!, context, cancellationToken).ConfigureAwait(false))
                    yield return Join(batch, results, n, m, node.Outer);
                yield break;
            }
            await foreach (var batch in input.ExecuteAsync(context, cancellationToken).ConfigureAwait(false))
                yield return Join(batch, batch.Rows.Select(r => Unnest(unnest!, collection!(r.Values))).ToList(), n, m, node.Outer);
        }
        finally
        {
            if (evaluator is not null) await evaluator.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The fewest input rows a table function may have under evaluation at once (2 batches of 1,024: enough
    /// to overlap batches; more only adds latency — and time to pass a checkpoint barrier — when the function is slow).</summary>
    public const int MinRowsInFlight = 2 * 1024;

    /// <summary>
    /// Starts evaluating each input batch as soon as it arrives, so a slow function (a model call) works on many
    /// batches at once instead of one — as many as keep <see cref="ITableFunctionEvaluator.RowsInFlight"/> rows (at
    /// least <see cref="MinRowsInFlight"/>) under evaluation — and yields the results in input order as soon as the
    /// oldest batch is done, or, for an unordered evaluator, as soon as any batch is. Rows count until their results
    /// are yielded, so the input is back-pressured and memory stays bounded however slow the function is. A batch
    /// carrying a checkpoint barrier goes out only after every batch that came before it. The
    /// evaluator itself bounds how many calls run at once.
    /// </summary>
    private async IAsyncEnumerable<(RowBatch Batch, IReadOnlyList<IReadOnlyList<object?[]>> Results)> PipelinedAsync(
        ITableFunctionEvaluator evaluator, CompiledExpr[] args, JobContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var limit = Math.Max(MinRowsInFlight, evaluator.RowsInFlight);
        long rowsInFlight = 0;
        using var consumed = new SemaphoreSlim(0);
        var pending = System.Threading.Channels.Channel.CreateUnbounded<(RowBatch, Task<IReadOnlyList<IReadOnlyList<object?[]>>>)>(
            new System.Threading.Channels.UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in input.ExecuteAsync(context, stop.Token).ConfigureAwait(false))
                {
                    while (Interlocked.Read(ref rowsInFlight) >= limit) await consumed.WaitAsync(stop.Token).ConfigureAwait(false);
                    Interlocked.Add(ref rowsInFlight, batch.Rows.Count);
                    var tuples = batch.Rows.Select(r => args.Select(a => a(r.Values)).ToArray()).ToList();
                    var work = tuples.Count == 0 ? Task.FromResult<IReadOnlyList<IReadOnlyList<object?[]>>>([]) : evaluator.EvaluateAsync(tuples, stop.Token);
                    await pending.Writer.WriteAsync((batch, work), stop.Token).ConfigureAwait(false);
                }
                pending.Writer.TryComplete();
            }
            catch (Exception e)
            {
                pending.Writer.TryComplete(e);
            }
        }, CancellationToken.None);
        void Consumed(RowBatch batch)
        {
            Interlocked.Add(ref rowsInFlight, -batch.Rows.Count);
            consumed.Release();
        }
        var started = new List<(RowBatch Batch, Task<IReadOnlyList<IReadOnlyList<object?[]>>> Work)>();
        try
        {
            if (evaluator.Ordered)
            {
                while (await pending.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    while (pending.Reader.TryRead(out var item))
                    {
                        var results = await item.Item2.ConfigureAwait(false);
                        Consumed(item.Item1);
                        yield return (item.Item1, results);
                    }
                }
                yield break;
            }
            // ALLOW_UNORDERED: whichever started batch finishes first goes first.
            var more = true;
            while (more || started.Count > 0)
            {
                while (pending.Reader.TryRead(out var item)) started.Add(item);
                if (started.Count == 0)
                {
                    more = await pending.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }
                Task<bool>? arrival = more ? pending.Reader.WaitToReadAsync(cancellationToken).AsTask() : null;
                // A batch carrying a checkpoint barrier waits until every batch started before it has gone out.
                var eligible = started.Where((w, i) => i == 0 || w.Batch.Checkpoint is null).Select(w => (Task)w.Work);
                var done = await Task.WhenAny(eligible.Concat(arrival is null ? [] : [arrival])).ConfigureAwait(false);
                if (done == arrival)
                {
                    more = await arrival.ConfigureAwait(false);
                    continue;
                }
                var index = started.FindIndex(w => w.Work == done);
                var finished = started[index];
                started.RemoveAt(index);
                var output = await finished.Work.ConfigureAwait(false);
                Consumed(finished.Batch);
                yield return (finished.Batch, output);
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            // Let the started calls finish or cancel before the evaluator is disposed.
            try { await producer.ConfigureAwait(false); } catch (OperationCanceledException) { }
            foreach (var (_, work) in started)
            {
                try { await work.ConfigureAwait(false); } catch (Exception) when (stop.IsCancellationRequested) { }
            }
            while (pending.Reader.TryRead(out var item))
            {
                try { await item.Item2.ConfigureAwait(false); } catch (Exception) when (stop.IsCancellationRequested) { }
            }
        }
    }

    private static RowBatch Join(RowBatch batch, IReadOnlyList<IReadOnlyList<object?[]>> results, int n, int m, bool outer)
    {
        var output = new List<Row>();
        for (var i = 0; i < batch.Rows.Count; i++)
        {
            var row = batch.Rows[i];
            var produced = results[i];
            if (produced.Count == 0 && outer) produced = [new object?[m]];
            foreach (var f in produced)
            {
                var values = new object?[n + m];
                Array.Copy(row.Values, values, n);
                Array.Copy(f, 0, values, n, Math.Min(m, f.Length));
                output.Add(new Row(values, row.Kind));
            }
        }
        return new RowBatch(output, batch.Watermark) { Checkpoint = batch.Checkpoint };
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
