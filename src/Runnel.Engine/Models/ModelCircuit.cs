using Polly;
using Polly.CircuitBreaker;
using Runnel.Models.Abstractions;

namespace Runnel.Engine.Models;

/// <summary>
/// The circuit breaker of one model version (Polly's, shared by every statement of the engine that calls it). A request
/// counts as failed when every row of it failed as a provider outage does: no answer (connection failure, status 0),
/// 500, 502, 503 or 504; throttling (429) is not an outage, retry hints and budgets handle it. When at least half of
/// the requests of the last 2 s failed (at least 5 of them) the circuit opens for 5 s: calls wait instead of being
/// sent, so the operator's input batches stop moving and the source pauses behind its bounded channel. Then one
/// request probes; success closes the circuit and everything resumes, failure opens it again. It also remembers when
/// the model last answered, which tells an ongoing outage (<see cref="IsOngoingOutage"/>) from a provider that never
/// answered.
/// </summary>
public sealed class ModelCircuit
{
    /// <summary>How long the circuit stays open before a probe.</summary>
    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(5);

    private readonly ResiliencePipeline<IReadOnlyList<ModelOutput>> _pipeline;
    private readonly CircuitBreakerStateProvider _state = new();

    /// <summary>How long rows wait for a provider that stays down before they fail.</summary>
    public static readonly TimeSpan MaxOutage = TimeSpan.FromMinutes(10);

    /// <summary>Raised with the reason each time the circuit opens.</summary>
    public event Action<string>? Opened;

    /// <summary>A closed breaker.</summary>
    public ModelCircuit()
    {
        _pipeline = new ResiliencePipelineBuilder<IReadOnlyList<ModelOutput>>()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<IReadOnlyList<ModelOutput>>
            {
                FailureRatio = 0.5,
                MinimumThroughput = 5,
                SamplingDuration = TimeSpan.FromSeconds(2),
                BreakDuration = BreakDuration,
                StateProvider = _state,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { Count: > 0 } r && r.All(o => IsOutage(o.Error))),
                OnOpened = args =>
                {
                    var first = args.Outcome.Result?.FirstOrDefault(o => o.Error is not null)?.Error?.Message;
                    Opened?.Invoke($"the provider looks down ({first}); calls paused, probing every {BreakDuration.TotalSeconds:F0} s");
                    return default;
                },
            })
            .Build();
    }

    /// <summary>True for the errors of a provider that is down: no answer, 500, 502, 503, 504.</summary>
    public static bool IsOutage(ModelInvocationException? error) => error is { IsRetryable: true, Status: 0 or 500 or 502 or 503 or 504 };

    /// <summary>True while the circuit is closed (requests flow normally).</summary>
    public bool IsClosed => _state.CircuitState == CircuitState.Closed;

    private long _lastSuccess = long.MinValue;

    /// <summary>
    /// Whether a request sent at <paramref name="sentAt"/> (a <see cref="System.Diagnostics.Stopwatch"/> timestamp) that
    /// failed as an outage failed because the provider is down now: the provider has answered this model before (so
    /// this is not a wrong endpoint or key, which should fail fast) and nothing has succeeded since the request was sent.
    /// </summary>
    public bool IsOngoingOutage(long sentAt)
    {
        var last = Interlocked.Read(ref _lastSuccess);
        return last != long.MinValue && last < sentAt;
    }

    /// <summary>Sends through the breaker. Null answers mean the circuit is open and nothing was sent; the wait is how
    /// long until a probe may go.</summary>
    public async ValueTask<(IReadOnlyList<ModelOutput>? Answers, TimeSpan Wait)> ExecuteAsync(Func<CancellationToken, ValueTask<IReadOnlyList<ModelOutput>>> send, CancellationToken cancellationToken)
    {
        try
        {
            var answers = await _pipeline.ExecuteAsync(send, cancellationToken).ConfigureAwait(false);
            if (answers.Any(a => a.Error is null)) Interlocked.Exchange(ref _lastSuccess, System.Diagnostics.Stopwatch.GetTimestamp());
            return (answers, TimeSpan.Zero);
        }
        catch (BrokenCircuitException e)
        {
            var wait = e.RetryAfter is { } after && after > TimeSpan.Zero ? after : TimeSpan.FromMilliseconds(200);
            return (null, wait);
        }
    }
}
