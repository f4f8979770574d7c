using System.Globalization;
using System.Threading.RateLimiting;
using Runnel.Models.Abstractions;

namespace Runnel.Engine.Models;

/// <summary>
/// Client-side limits of one model version, Runnel's own model options: <c>runnel.requests-per-minute</c> and
/// <c>runnel.tokens-per-minute</c>. Each is a token bucket (System.Threading.RateLimiting) refilled every second with a
/// sixtieth of the minute's budget and holding at most one second's worth (requests) or ten seconds' worth (tokens), so
/// the rate stays smooth as providers measure it. A request's tokens are estimated before it is sent: its input text at
/// 4 characters a token (at least one a value), the system prompt likewise, plus the answer's <c>params.max_tokens</c>
/// when set, as OpenAI counts it — then scaled by what the answers' <c>usage</c> reported for earlier requests
/// (<see cref="Observe"/>). Calls wait for permits; they never fail for them. Shared by every statement of the
/// engine that calls the same model version.
/// </summary>
public sealed class ModelRateLimits : IAsyncDisposable
{
    private readonly TokenBucketRateLimiter? _requests;
    private readonly TokenBucketRateLimiter? _tokens;
    private readonly int _tokenBucket;
    private readonly int _fixedTokens;
    private readonly object _gate = new();
    private double _correction = 1.0;

    private ModelRateLimits(int? requestsPerMinute, int? tokensPerMinute, int fixedTokens)
    {
        if (requestsPerMinute is { } rpm) _requests = Bucket(rpm, 1);
        if (tokensPerMinute is { } tpm)
        {
            _tokens = Bucket(tpm, 10);
            _tokenBucket = Math.Max(1, (int)Math.Ceiling(tpm / 60.0)) * 10;
        }
        _fixedTokens = fixedTokens;
    }

    private static TokenBucketRateLimiter Bucket(int perMinute, int seconds)
    {
        // Under 60 a minute: one permit every 60 / n seconds; otherwise n / 60 permits every second.
        var (period, perPeriod) = perMinute < 60 ? (TimeSpan.FromSeconds(60.0 / perMinute), 1) : (TimeSpan.FromSeconds(1), (int)Math.Ceiling(perMinute / 60.0));
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perPeriod * seconds,
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = period,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    /// <summary>The limits a model version's options ask for, or null when it sets none.</summary>
    public static ModelRateLimits? For(ModelVersionInfo version)
    {
        ArgumentNullException.ThrowIfNull(version);
        int? Read(string key)
        {
            if (version.Option(key) is not { } v) return null;
            return int.TryParse(v, CultureInfo.InvariantCulture, out var n) && n > 0 ? n
                : throw new Core.Errors.OptionException($"Option '{key}' of model '{version.ModelName}' must be a positive whole number, got '{v}'");
        }
        var rpm = Read("runnel.requests-per-minute");
        var tpm = Read("runnel.tokens-per-minute");
        if (rpm is null && tpm is null) return null;
        var system = version.Options.FirstOrDefault(o => o.Key.EndsWith(".system_prompt", StringComparison.OrdinalIgnoreCase)).Value;
        var maxTokens = version.Options.FirstOrDefault(o => o.Key.EndsWith(".params.max_tokens", StringComparison.OrdinalIgnoreCase)).Value;
        var fixedTokens = Estimate(system) + (maxTokens is not null && int.TryParse(maxTokens, CultureInfo.InvariantCulture, out var m) ? m : 0);
        return new ModelRateLimits(rpm, tpm, fixedTokens);
    }

    /// <summary>Tokens a text is estimated at: one per 4 characters, at least one.</summary>
    public static int Estimate(string? text) => ProviderBatches.EstimateTokens(text);

    /// <summary>The estimated tokens of one request carrying <paramref name="inputs"/>, scaled by what answers have
    /// reported so far (<see cref="Observe"/>).</summary>
    public int EstimateRequest(IReadOnlyList<object?[]> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var raw = _fixedTokens + inputs.Sum(row => row.Sum(v => Estimate(Convert.ToString(v, CultureInfo.InvariantCulture))));
        double correction;
        lock (_gate) correction = _correction;
        return Math.Max(1, (int)Math.Ceiling(raw * correction));
    }

    /// <summary>The factor estimates are scaled by (1 until answers report their usage).</summary>
    public double Correction { get { lock (_gate) return _correction; } }

    /// <summary>Corrects later estimates from an answer's reported tokens: the factor moves a fifth of the way to
    /// reported / estimated (kept within 0.1 and 10), so a tokenizer that counts differently from 4 characters a token
    /// — or answers shorter than max_tokens — are learnt within a few requests.</summary>
    public void Observe(int estimated, long reported)
    {
        if (estimated <= 0 || reported <= 0) return;
        lock (_gate)
        {
            var raw = estimated / _correction;
            _correction = Math.Clamp(0.8 * _correction + 0.2 * (reported / raw), 0.1, 10);
        }
    }

    /// <summary>Waits until one more request of <paramref name="tokens"/> estimated tokens fits both budgets. A
    /// request larger than the token bucket waits for a full bucket.</summary>
    public async ValueTask WaitAsync(int tokens, CancellationToken cancellationToken)
    {
        if (_requests is not null) (await _requests.AcquireAsync(1, cancellationToken).ConfigureAwait(false)).Dispose();
        if (_tokens is not null) (await _tokens.AcquireAsync(Math.Clamp(tokens, 1, _tokenBucket), cancellationToken).ConfigureAwait(false)).Dispose();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_requests is not null) await _requests.DisposeAsync().ConfigureAwait(false);
        if (_tokens is not null) await _tokens.DisposeAsync().ConfigureAwait(false);
    }
}
