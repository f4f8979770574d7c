using System.Diagnostics;
using Runnel.Connectors.Abstractions;

namespace Runnel.Execution.Runtime;

/// <summary>
/// Checkpoints of one streaming job (Flink's checkpoint barriers in at-least-once mode). Checkpoint <c>n</c> is due
/// <c>n</c> checkpoint intervals after the job started, or earlier when a source asks for one
/// (<see cref="RequestAsync"/>: a Kafka partition is being revoked). Each scan puts a barrier
/// (<see cref="Core.Data.RowBatch.Checkpoint"/>) into its stream when a checkpoint is due and records where its source
/// stood; operators without state forward barriers after the rows before them (a union when every input has passed
/// it); each sink makes what it wrote durable when a barrier reaches it and acknowledges it. A checkpoint is complete
/// when every sink has acknowledged it (or a later one); then each scan's source commits the position it recorded
/// for it (<see cref="ICommittingSource.Commit"/>). Operators with state (aggregations, joins, windows, sorting) do
/// not forward barriers, because their state is not snapshotted: a job with one never commits source positions, and
/// starts again from the last committed ones. Thread-safe.
/// </summary>
public sealed class CheckpointCoordinator
{
    private readonly object _gate = new();
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly List<long> _sinkAcks = [];
    private readonly List<ScanCheckpoints> _scans = [];
    private readonly SortedDictionary<long, TaskCompletionSource<bool>> _waiters = [];
    private TaskCompletionSource _forcedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _forced;
    private long _completed;

    /// <summary>A coordinator whose checkpoints fall due every <paramref name="interval"/> (positive).</summary>
    public CheckpointCoordinator(TimeSpan interval)
    {
        if (interval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(interval), "The checkpoint interval must be positive");
        Interval = interval;
    }

    /// <summary>Time between checkpoints (Flink's <c>execution.checkpointing.interval</c>).</summary>
    public TimeSpan Interval { get; }

    /// <summary>The highest checkpoint id due now (0 before the first interval has passed).</summary>
    public long Due
    {
        get
        {
            var byClock = (long)(Stopwatch.GetElapsedTime(_start) / Interval);
            return Math.Max(byClock, Interlocked.Read(ref _forced));
        }
    }

    /// <summary>Time until the next checkpoint falls due by the clock.</summary>
    public TimeSpan UntilNext
    {
        get
        {
            var elapsed = Stopwatch.GetElapsedTime(_start);
            var next = Interval * ((long)(elapsed / Interval) + 1);
            return next - elapsed + TimeSpan.FromMilliseconds(1);
        }
    }

    /// <summary>Completes when a source asks for an early checkpoint.</summary>
    public Task Forced { get { lock (_gate) return _forcedSignal.Task; } }

    /// <summary>The highest completed checkpoint id (0: none yet).</summary>
    public long Completed { get { lock (_gate) return _completed; } }

    /// <summary>Registers a sink that will acknowledge barriers; returns its index for <see cref="Acknowledge"/>.</summary>
    public int RegisterSink()
    {
        lock (_gate)
        {
            _sinkAcks.Add(0);
            return _sinkAcks.Count - 1;
        }
    }

    /// <summary>Registers a scan; <paramref name="source"/> is null when its source cannot commit positions.</summary>
    public ScanCheckpoints RegisterScan(ICommittingSource? source)
    {
        var scan = new ScanCheckpoints(source);
        lock (_gate) _scans.Add(scan);
        return scan;
    }

    /// <summary>Sink <paramref name="sink"/> has made durable every row before barrier <paramref name="checkpoint"/>.
    /// When every sink has, the checkpoint completes and the sources commit.</summary>
    public void Acknowledge(int sink, long checkpoint)
    {
        List<(ICommittingSource, object)> commits;
        List<TaskCompletionSource<bool>> done = [];
        lock (_gate)
        {
            if (checkpoint > _sinkAcks[sink]) _sinkAcks[sink] = checkpoint;
            var complete = _sinkAcks.Min();
            if (complete <= _completed) return;
            _completed = complete;
            commits = [.. _scans.Select(s => s.Take(complete)).Where(c => c.HasValue).Select(c => c!.Value)];
            while (_waiters.Count > 0 && _waiters.First().Key <= complete)
            {
                var first = _waiters.First();
                done.Add(first.Value);
                _waiters.Remove(first.Key);
            }
        }
        foreach (var (source, position) in commits) source.Commit(position);
        foreach (var waiter in done) waiter.TrySetResult(true);
    }

    /// <summary>Asks for a checkpoint now; true when it completed (and positions were committed) within
    /// <paramref name="timeout"/>, false otherwise (the rows since the last completed checkpoint stay uncommitted).
    /// Returns false at once for a job that has completed no checkpoint in its first three intervals.</summary>
    public Task<bool> RequestAsync(TimeSpan timeout) => RequestCoreAsync(timeout, final: false);

    /// <summary>The job is stopping gracefully: sources stop handing out rows (<see cref="ICommittingSource.Quiesce"/>)
    /// and a last checkpoint commits everything they handed out; true when it completed within <paramref name="timeout"/>.</summary>
    public Task<bool> FinalAsync(TimeSpan timeout) => RequestCoreAsync(timeout, final: true);

    private async Task<bool> RequestCoreAsync(TimeSpan timeout, bool final)
    {
        if (final)
        {
            List<ScanCheckpoints> scans;
            lock (_gate) scans = [.. _scans];
            foreach (var scan in scans) scan.Source?.Quiesce();
        }
        TaskCompletionSource<bool> waiter;
        TaskCompletionSource signal;
        lock (_gate)
        {
            // A job that has completed no checkpoint in three intervals does not pass barriers (it has state, or no
            // sink): waiting would only delay the caller.
            if (_completed == 0 && Stopwatch.GetElapsedTime(_start) > 3 * Interval) return false;
            var id = Due + 1;
            Interlocked.Exchange(ref _forced, id);
            if (!_waiters.TryGetValue(id, out waiter!)) _waiters[id] = waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            signal = _forcedSignal;
            _forcedSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        signal.TrySetResult();
        return await Task.WhenAny(waiter.Task, Task.Delay(timeout)).ConfigureAwait(false) == waiter.Task;
    }
}

/// <summary>The barriers one scan put into its stream and where its source stood at each.</summary>
public sealed class ScanCheckpoints
{
    private readonly ICommittingSource? _source;
    private readonly Queue<(long Id, object Position)> _barriers = new();

    internal ScanCheckpoints(ICommittingSource? source) => _source = source;

    /// <summary>The scan's source when it commits positions.</summary>
    internal ICommittingSource? Source => _source;

    /// <summary>Records barrier <paramref name="checkpoint"/> put after the rows up to <paramref name="position"/>
    /// (null: nothing read yet, nothing to commit).</summary>
    public void Barrier(long checkpoint, object? position)
    {
        if (_source is null || position is null) return;
        lock (_barriers) _barriers.Enqueue((checkpoint, position));
    }

    /// <summary>The source and the position of the newest barrier at or before <paramref name="completed"/>, removing
    /// it and older ones; null when there is none.</summary>
    internal (ICommittingSource, object)? Take(long completed)
    {
        if (_source is null) return null;
        lock (_barriers)
        {
            object? position = null;
            while (_barriers.Count > 0 && _barriers.Peek().Id <= completed) position = _barriers.Dequeue().Position;
            return position is null ? null : (_source, position);
        }
    }
}
