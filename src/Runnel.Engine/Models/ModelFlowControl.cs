using System.Diagnostics;

namespace Runnel.Engine.Models;

/// <summary>
/// Adaptive concurrency for one model version, shared by every statement calling it (additive increase,
/// multiplicative decrease, as TCP's congestion control and Netflix's concurrency-limits "AIMD" limit): requests hold a
/// slot while in flight; a request answered 429 halves the limit (to half of what was in flight, at least 1) once per
/// congestion signal — 429s of requests sent before the last decrease do not halve it again — and every request
/// answered without one raises it by 1 / limit, about one more slot per round trip, or, once no 429 has come for
/// <see cref="QuietPeriod"/>, by 1, doubling it each round trip (TCP's slow start), up to <see cref="Ceiling"/>. Each
/// statement's own <c>max_parallelism</c> still caps its share.
/// </summary>
public sealed class AdaptiveConcurrency
{
    /// <summary>The highest limit (and the starting one: until a provider throttles, only max_parallelism limits).</summary>
    public const int Ceiling = 4096;

    /// <summary>How long without a 429 before the limit grows by doubling again instead of by one each round trip.</summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(5);

    private readonly object _gate = new();
    private readonly Queue<TaskCompletionSource> _waiters = new();
    private double _limit = Ceiling;
    private int _inFlight;
    private long _lastDecrease;
    private long _decreases;

    /// <summary>The current limit.</summary>
    public int Limit { get { lock (_gate) return (int)_limit; } }

    /// <summary>Requests holding a slot.</summary>
    public int InFlight { get { lock (_gate) return _inFlight; } }

    /// <summary>How many times a 429 halved the limit.</summary>
    public long Decreases => Interlocked.Read(ref _decreases);

    /// <summary>Waits for a slot; returns the time it was taken (a <see cref="Stopwatch"/> timestamp) to pass back to
    /// <see cref="Release"/>.</summary>
    public async ValueTask<long> AcquireAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_gate)
        {
            if (_inFlight < (int)_limit && _waiters.Count == 0)
            {
                _inFlight++;
                return Stopwatch.GetTimestamp();
            }
            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter);
        }
        try
        {
            await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            lock (_gate)
            {
                // Granted in the meantime: give the slot back.
                if (waiter.Task.IsCompletedSuccessfully) { _inFlight--; Wake(); }
                else waiter.TrySetCanceled(cancellationToken);
            }
            throw;
        }
        return Stopwatch.GetTimestamp();
    }

    /// <summary>Gives back the slot of a request taken at <paramref name="acquiredAt"/>; <paramref name="throttled"/>
    /// when the provider answered it 429.</summary>
    public void Release(long acquiredAt, bool throttled)
    {
        lock (_gate)
        {
            _inFlight--;
            if (throttled)
            {
                if (acquiredAt > _lastDecrease)
                {
                    _limit = Math.Max(1, Math.Floor(Math.Min(_limit, _inFlight + 1) / 2));
                    _lastDecrease = Stopwatch.GetTimestamp();
                    Interlocked.Increment(ref _decreases);
                }
            }
            else if (_limit < Ceiling)
                // Slow start once the provider has stopped throttling for a while (doubling each round trip),
                // congestion avoidance (one more slot each round trip) while it still might.
                _limit = Math.Min(Ceiling, _limit + (Stopwatch.GetElapsedTime(_lastDecrease) > QuietPeriod ? 1.0 : 1.0 / _limit));
            Wake();
        }
    }

    private void Wake()
    {
        while (_inFlight < (int)_limit && _waiters.TryDequeue(out var next))
            if (next.TrySetResult()) _inFlight++;
    }
}

/// <summary>
/// A retry budget for one model version, after Finagle's RetryBudget: each request that is not throttled deposits
/// <see cref="Ratio"/> of a retry, a trickle of <see cref="MinPerSecond"/> retries a second keeps rows moving when
/// nothing gets through, and the balance never exceeds <see cref="Cap"/>. A retry takes one; when none is left it
/// waits — rows are delayed, never failed. A retry that is not throttled gives its token back, so only throttled
/// attempts spend the budget: under sustained throttling they stay within <see cref="Ratio"/> × the requests that get
/// through (plus the burst and the trickle), while retries that succeed — a provider's reset hint honoured — go at the
/// provider's pace.
/// </summary>
public sealed class RetryBudget
{
    /// <summary>Retries earned by each answered request.</summary>
    public const double Ratio = 0.2;
    /// <summary>Retries allowed each second whatever succeeds.</summary>
    public const double MinPerSecond = 0.5;
    /// <summary>The largest balance (what a burst of retries may spend at once).</summary>
    public const double Cap = 20;

    private readonly object _gate = new();
    private double _balance = Cap;
    private long _last = Stopwatch.GetTimestamp();

    /// <summary>Counts a request that was not throttled; <paramref name="refund"/> when it was a retry, which gives back
    /// the retry it took.</summary>
    public void Deposit(bool refund = false)
    {
        lock (_gate) _balance = Math.Min(Cap, _balance + Ratio + (refund ? 1 : 0));
    }

    /// <summary>Takes one retry if the budget has it.</summary>
    public bool TryWithdraw()
    {
        lock (_gate)
        {
            var now = Stopwatch.GetTimestamp();
            _balance = Math.Min(Cap, _balance + Stopwatch.GetElapsedTime(_last, now).TotalSeconds * MinPerSecond);
            _last = now;
            if (_balance < 1) return false;
            _balance -= 1;
            return true;
        }
    }

    /// <summary>Waits until the budget has a retry and takes it.</summary>
    public async Task WithdrawAsync(CancellationToken cancellationToken)
    {
        while (!TryWithdraw()) await Task.Delay(50, cancellationToken).ConfigureAwait(false);
    }
}
