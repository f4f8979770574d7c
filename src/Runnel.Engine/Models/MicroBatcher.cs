using Runnel.Models.Abstractions;

namespace Runnel.Engine.Models;

/// <summary>
/// Gathers the rows of one statement's model calls into provider requests across input batches: rows wait until
/// <c>size</c> of them are there or <c>linger</c> has passed since the first one came, then go out together through
/// <c>send</c>, and each row gets its own answer. With a zero linger the rows of one call go out at once (in requests
/// of at most <c>size</c>). The pipelined operator keeps several input batches under evaluation, so a provider that
/// takes many inputs a request (embeddings) gets full requests even when the source's batches are small.
/// </summary>
internal sealed class MicroBatcher(int size, TimeSpan linger, Func<IReadOnlyList<object?[]>, CancellationToken, Task<IReadOnlyList<ModelOutput>>> send)
{
    private readonly object _gate = new();
    private List<(object?[] Input, TaskCompletionSource<ModelOutput> Done)> _open = [];
    private long _generation;
    private long _timerFor = -1;

    /// <summary>The rows a request carries at most.</summary>
    public int Size => size;

    /// <summary>Queues <paramref name="inputs"/>; the tasks complete with each row's answer (in the same order).</summary>
    public Task<ModelOutput>[] Submit(IReadOnlyList<object?[]> inputs, CancellationToken cancellationToken)
    {
        var tasks = new Task<ModelOutput>[inputs.Count];
        var due = new List<List<(object?[], TaskCompletionSource<ModelOutput>)>>();
        long? startTimer = null;
        lock (_gate)
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                var done = new TaskCompletionSource<ModelOutput>(TaskCreationOptions.RunContinuationsAsynchronously);
                tasks[i] = done.Task;
                _open.Add((inputs[i], done));
                if (_open.Count >= size) Cut(due);
            }
            if (_open.Count > 0)
            {
                if (linger <= TimeSpan.Zero) Cut(due);
                else if (_timerFor != _generation) startTimer = _timerFor = _generation;
            }
        }
        foreach (var batch in due) _ = RunAsync(batch, cancellationToken);
        if (startTimer is { } generation) _ = LingerAsync(generation, cancellationToken);
        return tasks;
    }

    private void Cut(List<List<(object?[], TaskCompletionSource<ModelOutput>)>> due)
    {
        due.Add(_open);
        _open = [];
        _generation++;
    }

    /// <summary>Sends the open batch once <c>linger</c> has passed, unless it was sent full in the meantime.</summary>
    private async Task LingerAsync(long generation, CancellationToken cancellationToken)
    {
        try { await Task.Delay(linger, cancellationToken).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        List<(object?[], TaskCompletionSource<ModelOutput>)>? due = null;
        lock (_gate)
        {
            if (_generation == generation && _open.Count > 0)
            {
                due = _open;
                _open = [];
                _generation++;
            }
        }
        if (due is not null) await RunAsync(due, cancellationToken).ConfigureAwait(false);
    }

    private async Task RunAsync(List<(object?[] Input, TaskCompletionSource<ModelOutput> Done)> batch, CancellationToken cancellationToken)
    {
        try
        {
            var answers = await send(batch.Select(b => b.Input).ToList(), cancellationToken).ConfigureAwait(false);
            for (var k = 0; k < batch.Count; k++) batch[k].Done.TrySetResult(answers[k]);
        }
        catch (OperationCanceledException e)
        {
            foreach (var (_, done) in batch) done.TrySetCanceled(e.CancellationToken);
        }
        catch (Exception e)
        {
            foreach (var (_, done) in batch) done.TrySetException(e);
        }
    }
}
