using System.Collections.Concurrent;
using Runnel.Models.Abstractions;

namespace Runnel.Engine.Models;

/// <summary>
/// What the engine keeps for one model version across all its statements: the client-side budgets
/// (<see cref="ModelRateLimits"/>, null when the version sets none), the circuit breaker (<see cref="ModelCircuit"/>),
/// the adaptive concurrency limit (<see cref="AdaptiveConcurrency"/>), the retry budget (<see cref="RetryBudget"/>),
/// and the pause a provider's retry hint asked for, which holds back every call to the version until it has passed.
/// </summary>
public sealed class ModelVersionRuntime : IAsyncDisposable
{
    /// <summary>The longest one retry hint pauses the model; a longer hint pauses this long (the caller warns).</summary>
    public static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(60);

    private long _pausedUntilTicks;

    private ModelVersionRuntime(ModelVersionInfo version)
    {
        Limits = ModelRateLimits.For(version);
        Prices = ModelPrices.For(version);
    }

    /// <summary>The version's token prices, for cost estimates.</summary>
    public ModelPrices Prices { get; }

    /// <summary>The version's request and token budgets, or null.</summary>
    public ModelRateLimits? Limits { get; }

    /// <summary>The version's circuit breaker.</summary>
    public ModelCircuit Circuit { get; } = new();

    /// <summary>The version's adaptive limit on requests in flight (backs off on 429, recovers on answers).</summary>
    public AdaptiveConcurrency Concurrency { get; } = new();

    /// <summary>The version's retry budget.</summary>
    public RetryBudget RetryBudget { get; } = new();

    /// <summary>Pauses calls to the version for <paramref name="asked"/>, capped at <see cref="MaxPause"/>; extends,
    /// never shortens, a pause already in force. True when the cap cut the wait short.</summary>
    public bool Pause(TimeSpan asked)
    {
        var until = DateTime.UtcNow.Ticks + (asked > MaxPause ? MaxPause : asked).Ticks;
        long seen;
        while ((seen = Interlocked.Read(ref _pausedUntilTicks)) < until && Interlocked.CompareExchange(ref _pausedUntilTicks, until, seen) != seen) { }
        return asked > MaxPause;
    }

    /// <summary>Returns once no pause is in force.</summary>
    public async Task WaitWhilePausedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var remaining = Interlocked.Read(ref _pausedUntilTicks) - DateTime.UtcNow.Ticks;
            if (remaining <= 0) return;
            await Task.Delay(TimeSpan.FromTicks(remaining), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Limits is not null) await Limits.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The engine's runtimes by model version, created on first use.</summary>
    internal sealed class Registry : IAsyncDisposable
    {
        private readonly ConcurrentDictionary<string, Lazy<ModelVersionRuntime>> _byVersion = new(StringComparer.OrdinalIgnoreCase);

        public ModelVersionRuntime For(ModelVersionInfo version) =>
            _byVersion.GetOrAdd($"{version.ModelName}${version.Version}", _ => new Lazy<ModelVersionRuntime>(() => new ModelVersionRuntime(version))).Value;

        public async ValueTask DisposeAsync()
        {
            foreach (var runtime in _byVersion.Values)
                if (runtime.IsValueCreated) await runtime.Value.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>Token prices of a model version, Runnel's own options <c>runnel.price.input-per-1m-tokens</c> and
/// <c>runnel.price.output-per-1m-tokens</c> (US dollars per million tokens, as providers publish them), turning the
/// tokens an answer reports into an estimated cost. Without them the cost is 0.</summary>
public sealed record ModelPrices(double InputPerMillion, double OutputPerMillion)
{
    /// <summary>The prices a version's options give.</summary>
    public static ModelPrices For(ModelVersionInfo version)
    {
        ArgumentNullException.ThrowIfNull(version);
        double Read(string key) => version.Option(key) is not { } v ? 0
            : double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) && d >= 0 ? d
            : throw new Core.Errors.OptionException($"Option '{key}' of model '{version.ModelName}' must be a price in US dollars per million tokens, got '{v}'");
        return new ModelPrices(Read("runnel.price.input-per-1m-tokens"), Read("runnel.price.output-per-1m-tokens"));
    }

    /// <summary>The estimated cost of <paramref name="usage"/>, in US dollars.</summary>
    public double Cost(ModelUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        return usage.InputTokens / 1e6 * InputPerMillion + usage.OutputTokens / 1e6 * OutputPerMillion;
    }
}
