using System.Diagnostics.Metrics;

namespace Runnel.Engine.Models;

/// <summary>
/// Model-call metrics through System.Diagnostics.Metrics (meter <c>Runnel.Models</c>), so any OpenTelemetry or
/// dotnet-counters listener sees them. Every instrument is tagged <c>runnel.model</c> (name) and
/// <c>runnel.model.version</c>; errors also <c>http.response.status_code</c> (0: no answer) and <c>error.type</c>
/// (connection, timeout, throttled, server, bad_answer, client).
/// </summary>
public static class ModelMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Runnel.Models";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Non-NULL rows asked of a model.</summary>
    public static readonly Counter<long> Rows = Meter.CreateCounter<long>("runnel.model.rows", "{row}", "Rows asked of the model.");
    /// <summary>Requests sent to the provider.</summary>
    public static readonly Counter<long> Requests = Meter.CreateCounter<long>("runnel.model.requests", "{request}", "Requests sent to the provider.");
    /// <summary>Rows sent again after a retryable failure.</summary>
    public static readonly Counter<long> Retries = Meter.CreateCounter<long>("runnel.model.retries", "{row}", "Rows retried.");
    /// <summary>Rows whose call failed, by status.</summary>
    public static readonly Counter<long> Errors = Meter.CreateCounter<long>("runnel.model.errors", "{row}", "Rows whose call failed.");
    /// <summary>Rows answered from the cache.</summary>
    public static readonly Counter<long> CacheHits = Meter.CreateCounter<long>("runnel.model.cache_hits", "{row}", "Rows answered from the cache.");
    /// <summary>Tokens the provider reported, tagged <c>runnel.token.type</c> = input or output.</summary>
    public static readonly Counter<long> Tokens = Meter.CreateCounter<long>("runnel.model.tokens", "{token}", "Tokens the provider reported.");
    /// <summary>Estimated cost in US dollars from the reported tokens and the model's prices.</summary>
    public static readonly Counter<double> Cost = Meter.CreateCounter<double>("runnel.model.cost", "USD", "Estimated cost of the model's calls.");
    /// <summary>Requests in flight.</summary>
    public static readonly UpDownCounter<long> InFlight = Meter.CreateUpDownCounter<long>("runnel.model.requests.in_flight", "{request}", "Requests sent and not yet answered.");
    /// <summary>Request latency in seconds.</summary>
    public static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("runnel.model.request.duration", "s", "Time from sending a request to its answer.");
}
