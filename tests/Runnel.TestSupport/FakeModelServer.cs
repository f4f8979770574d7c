using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Runnel.TestSupport;

/// <summary>
/// An OpenAI-compatible model server on loopback for tests and benchmarks that behaves like a loaded provider:
/// chat completions (<c>/v1/chat/completions</c>) and embeddings (<c>/v1/embeddings</c>) after a configurable latency
/// (fixed, or log-normal with a long tail), a concurrency limit, requests-per-minute and tokens-per-minute budgets that
/// answer 429s shaped as OpenAI's recorded ones (shared/fixtures/providers/openai/issues_openai_429_error_examples.json:
/// <c>rate_limit_exceeded</c>, "Please try again in 1.574s", <c>x-ratelimit-*</c> headers — or, like the recorded 429
/// that carried none, no hint at all), and injected faults: 5xx answers, connection resets, stalls that never answer,
/// malformed bodies, and Azure's content-filter refusal (the recorded body of
/// azure_openai/openllmetry_azure_chat_completions_content_filter_prompt.json, sent as HTTP 400). Every setting can
/// change while the server runs; counters say what it did. Faults are drawn from a seeded random source.
/// </summary>
public sealed class FakeModelServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly object _gate = new();
    private readonly Random _random;
    private double _requestLevel = double.NaN;
    private double _tokenLevel = double.NaN;
    private long _lastRefill = Environment.TickCount64;
    private int _inFlight;
    private int _peak;
    private enum Count { Requests, Answered, Throttled, ServerErrors, Resets, Stalls, Malformed, Filtered, Tokens, ConcurrencyRefused }
    private readonly long[] _counts = new long[Enum.GetValues<Count>().Length];

    private FakeModelServer(WebApplication app, int seed)
    {
        _app = app;
        _random = new Random(seed);
    }

    /// <summary>Latency of every answer, in milliseconds (the median when <see cref="LatencyTailSigma"/> is set).</summary>
    public int LatencyMs { get; set; }
    /// <summary>0 for a fixed latency; otherwise the σ of a log-normal latency around <see cref="LatencyMs"/> (1.0 gives
    /// a p99 about 10× the median).</summary>
    public double LatencyTailSigma { get; set; }
    /// <summary>Requests served at once; more get 429 "Too many concurrent requests". 0 = no limit.</summary>
    public int MaxConcurrent { get; set; }
    /// <summary>The requests-per-minute budget (a continuously refilled bucket), 0 = none.</summary>
    public double RequestsPerMinute { get; set; }
    /// <summary>The tokens-per-minute budget, 0 = none. A request costs its prompt's characters / 4 plus <c>max_tokens</c>
    /// (as OpenAI counts), embeddings their inputs' characters / 4.</summary>
    public double TokensPerMinute { get; set; }
    /// <summary>True (default): 429s carry <c>x-ratelimit-*</c> headers and "Please try again in ..."; false: neither.</summary>
    public bool RetryHints { get; set; } = true;
    /// <summary>While true, every request is answered 503 at once (a provider outage).</summary>
    public bool Outage { get; set; }
    /// <summary>Share of requests answered 500/502/503.</summary>
    public double ServerErrorRate { get; set; }
    /// <summary>Share of requests whose connection is reset without an answer.</summary>
    public double ResetRate { get; set; }
    /// <summary>Share of requests that never answer (until the client gives up).</summary>
    public double StallRate { get; set; }
    /// <summary>Share of requests answered 200 with a cut-off JSON body.</summary>
    public double MalformedRate { get; set; }
    /// <summary>A user message containing this text gets the content-filter refusal (HTTP 400); null = never.</summary>
    public string? FilterMarker { get; set; }
    /// <summary>The chat answer for a user message (default: POSITIVE for an even length, NEGATIVE for an odd one).</summary>
    public Func<string, string> Reply { get; set; } = text => text.Length % 2 == 0 ? "POSITIVE" : "NEGATIVE";
    /// <summary>A latency in milliseconds for a request by its (first) input text, instead of <see cref="LatencyMs"/>; null
    /// to use the latency settings.</summary>
    public Func<string, int?>? LatencyOf { get; set; }
    /// <summary>Dimensions of the embeddings returned.</summary>
    public int EmbeddingDimensions { get; set; } = 8;

    /// <summary>The server's base address, <c>http://127.0.0.1:port</c>.</summary>
    public string BaseUrl { get; private set; } = "";
    /// <summary>The chat completions endpoint.</summary>
    public string ChatUrl => BaseUrl + "/v1/chat/completions";
    /// <summary>The embeddings endpoint.</summary>
    public string EmbeddingsUrl => BaseUrl + "/v1/embeddings";

    /// <summary>Requests received.</summary>
    public long Requests => Interlocked.Read(ref _counts[(int)Count.Requests]);
    /// <summary>Requests answered 200 with a good body.</summary>
    public long Answered => Interlocked.Read(ref _counts[(int)Count.Answered]);
    /// <summary>Requests refused with 429 by the budgets or the concurrency limit.</summary>
    public long Throttled => Interlocked.Read(ref _counts[(int)Count.Throttled]);
    /// <summary>Of <see cref="Throttled"/>, those refused by the concurrency limit.</summary>
    public long ConcurrencyRefused => Interlocked.Read(ref _counts[(int)Count.ConcurrencyRefused]);
    /// <summary>Requests answered 5xx.</summary>
    public long ServerErrors => Interlocked.Read(ref _counts[(int)Count.ServerErrors]);
    /// <summary>Connections reset.</summary>
    public long Resets => Interlocked.Read(ref _counts[(int)Count.Resets]);
    /// <summary>Requests stalled.</summary>
    public long Stalls => Interlocked.Read(ref _counts[(int)Count.Stalls]);
    /// <summary>Malformed answers.</summary>
    public long Malformed => Interlocked.Read(ref _counts[(int)Count.Malformed]);
    /// <summary>Content-filter refusals.</summary>
    public long Filtered => Interlocked.Read(ref _counts[(int)Count.Filtered]);
    /// <summary>Tokens of the requests answered 200.</summary>
    public long TokensServed => Interlocked.Read(ref _counts[(int)Count.Tokens]);
    /// <summary>Requests being served now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);
    /// <summary>The most requests served at once.</summary>
    public int PeakInFlight => Volatile.Read(ref _peak);

    /// <summary>Starts a server on a free loopback port; <paramref name="seed"/> fixes the fault draws.</summary>
    public static async Task<FakeModelServer> StartAsync(int seed = 7)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeModelServer(app, seed);
        app.MapPost("/v1/chat/completions", (Delegate)((HttpContext c) => server.HandleAsync(c, embeddings: false)));
        app.MapPost("/v1/embeddings", (Delegate)((HttpContext c) => server.HandleAsync(c, embeddings: true)));
        await app.StartAsync().ConfigureAwait(false);
        server.BaseUrl = app.Urls.First().TrimEnd('/');
        return server;
    }

    /// <summary>Sets every counter (and the peak) back to zero.</summary>
    public void ResetCounters()
    {
        for (var i = 0; i < _counts.Length; i++) Interlocked.Exchange(ref _counts[i], 0);
        Volatile.Write(ref _peak, 0);
    }

    private double Draw()
    {
        lock (_gate) return _random.NextDouble();
    }

    private static int Tokens(string text) => (text.Length + 3) / 4;

    /// <summary>Takes one request and <paramref name="tokens"/> from the budgets, or says how long until they would
    /// be there (null when the request may go).</summary>
    private (TimeSpan Wait, string Kind, double Limit, double Used)? TakeBudget(int tokens)
    {
        lock (_gate)
        {
            var now = Environment.TickCount64;
            var elapsedMinutes = (now - _lastRefill) / 60_000.0;
            _lastRefill = now;
            double Refill(double level, double perMinute) => double.IsNaN(level) ? perMinute : Math.Min(perMinute, level + elapsedMinutes * perMinute);
            var rpm = RequestsPerMinute;
            var tpm = TokensPerMinute;
            _requestLevel = rpm > 0 ? Refill(_requestLevel, rpm) : double.NaN;
            _tokenLevel = tpm > 0 ? Refill(_tokenLevel, tpm) : double.NaN;
            if (rpm > 0 && _requestLevel < 1)
                return (TimeSpan.FromMinutes((1 - _requestLevel) / rpm), "requests", rpm, rpm - _requestLevel);
            if (tpm > 0 && _tokenLevel < tokens)
                return (TimeSpan.FromMinutes((tokens - _tokenLevel) / tpm), "tokens", tpm, tpm - _tokenLevel);
            if (rpm > 0) _requestLevel -= 1;
            if (tpm > 0) _tokenLevel -= tokens;
            return null;
        }
    }

    /// <summary>Go-style durations as OpenAI's <c>x-ratelimit-reset-*</c> headers write them: <c>6ms</c>, <c>1.574s</c>, <c>1m0s</c>.</summary>
    private static string GoDuration(TimeSpan t) => t.TotalSeconds < 1
        ? $"{Math.Max(1, (int)Math.Ceiling(t.TotalMilliseconds))}ms"
        : t.TotalMinutes < 1 ? $"{t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s" : $"{(int)t.TotalMinutes}m{t.Seconds}s";

    private static IResult Error(int status, string message, string? type, string? code, string? param = null) =>
        Results.Json(new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = param, ["code"] = code } }, statusCode: status);

    private async Task<IResult> HandleAsync(HttpContext context, bool embeddings)
    {
        Interlocked.Increment(ref _counts[(int)Count.Requests]);
        var body = (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false))!.AsObject();
        string[] texts = embeddings
            ? body["input"] is JsonArray many ? [.. many.Select(t => t!.GetValue<string>())] : [body["input"]!.GetValue<string>()]
            : [body["messages"]!.AsArray().Last()!["content"]!.GetValue<string>()];
        var tokens = texts.Sum(Tokens) + (embeddings ? 0 : body["max_tokens"]?.GetValue<int>() ?? 16);

        if (Outage)
        {
            Interlocked.Increment(ref _counts[(int)Count.ServerErrors]);
            return Error(503, "Service Unavailable", "server_error", null);
        }
        var now = Interlocked.Increment(ref _inFlight);
        try
        {
            int seen;
            while ((seen = Volatile.Read(ref _peak)) < now && Interlocked.CompareExchange(ref _peak, now, seen) != seen) { }
            if (MaxConcurrent > 0 && now > MaxConcurrent)
            {
                Interlocked.Increment(ref _counts[(int)Count.Throttled]);
                Interlocked.Increment(ref _counts[(int)Count.ConcurrencyRefused]);
                return Error(429, "Too many concurrent requests. Please reduce the number of parallel requests.", "requests", "rate_limit_exceeded");
            }
            if (TakeBudget(tokens) is { } refused)
            {
                Interlocked.Increment(ref _counts[(int)Count.Throttled]);
                var limit = refused.Limit.ToString("0", CultureInfo.InvariantCulture);
                var used = refused.Used.ToString("0", CultureInfo.InvariantCulture);
                var scope = refused.Kind == "tokens" ? "tokens per min (TPM)" : "requests per min (RPM)";
                var message = $"Rate limit reached for gpt-4o-mini in organization org-fake on {scope}: Limit {limit}, Used {used}, Requested {(refused.Kind == "tokens" ? tokens : 1)}."
                    + (RetryHints ? $" Please try again in {GoDuration(refused.Wait)}." : "")
                    + " Visit https://platform.openai.com/account/rate-limits to learn more.";
                if (RetryHints)
                {
                    context.Response.Headers["x-ratelimit-limit-requests"] = RequestsPerMinute > 0 ? RequestsPerMinute.ToString("0", CultureInfo.InvariantCulture) : "10000";
                    context.Response.Headers["x-ratelimit-limit-tokens"] = TokensPerMinute > 0 ? TokensPerMinute.ToString("0", CultureInfo.InvariantCulture) : "10000000";
                    context.Response.Headers[$"x-ratelimit-reset-{refused.Kind}"] = GoDuration(refused.Wait);
                    context.Response.Headers[$"x-ratelimit-remaining-{refused.Kind}"] = "0";
                }
                return Error(429, message, refused.Kind, "rate_limit_exceeded");
            }

            var latency = LatencyOf?.Invoke(texts[0]) ?? (LatencyTailSigma > 0 ? LatencyMs * Math.Exp(LatencyTailSigma * Gaussian()) : LatencyMs);
            if (latency > 0) await Task.Delay(TimeSpan.FromMilliseconds(latency), context.RequestAborted).ConfigureAwait(false);

            var draw = Draw();
            if ((draw -= ServerErrorRate) < 0)
            {
                Interlocked.Increment(ref _counts[(int)Count.ServerErrors]);
                var status = new[] { 500, 502, 503 }[(int)(Draw() * 3)];
                return Error(status, status == 503 ? "Service Unavailable" : "The server had an error while processing your request. Sorry about that!", "server_error", null);
            }
            if ((draw -= ResetRate) < 0)
            {
                Interlocked.Increment(ref _counts[(int)Count.Resets]);
                context.Abort();
                return Results.Empty;
            }
            if ((draw -= StallRate) < 0)
            {
                Interlocked.Increment(ref _counts[(int)Count.Stalls]);
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ConfigureAwait(false);
                return Results.Empty;
            }
            if ((draw -= MalformedRate) < 0)
            {
                Interlocked.Increment(ref _counts[(int)Count.Malformed]);
                return Results.Text("{\"id\": \"chatcmpl-cut\", \"object\": \"chat.completion\", \"choices\": [{\"index\": 0, \"mess", "application/json");
            }
            if (!embeddings && FilterMarker is { } marker && texts[0].Contains(marker, StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _counts[(int)Count.Filtered]);
                var recorded = LoopbackServer.Fixture("azure_openai", "openllmetry_azure_chat_completions_content_filter_prompt.json")["interactions"]![0]!["response"]!["body_raw"]!.GetValue<string>();
                return Results.Text(recorded, "application/json", System.Text.Encoding.UTF8, 400);
            }
            Interlocked.Increment(ref _counts[(int)Count.Answered]);
            Interlocked.Add(ref _counts[(int)Count.Tokens], tokens);
            return embeddings ? Results.Bytes(Embeddings(texts, body), "application/json") : Results.Json(Chat(texts[0], body));
        }
        catch (OperationCanceledException)
        {
            return Results.Empty; // the client gave up (its timeout, or a stalled request)
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private double Gaussian()
    {
        double u1, u2;
        lock (_gate)
        {
            u1 = 1.0 - _random.NextDouble();
            u2 = _random.NextDouble();
        }
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>A chat.completion shaped as the recorded ones (openai-dotnet_chat_completions_200_hello_world.json).</summary>
    private JsonObject Chat(string user, JsonObject request)
    {
        var content = Reply(user);
        var prompt = Tokens(user);
        var completion = Tokens(content);
        return new JsonObject
        {
            ["id"] = "chatcmpl-fake", ["object"] = "chat.completion", ["created"] = 1770950813,
            ["model"] = request["model"]?.GetValue<string>() ?? "gpt-4o-mini-2024-07-18",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content, ["refusal"] = null }, ["logprobs"] = null, ["finish_reason"] = "stop",
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = prompt, ["completion_tokens"] = completion, ["total_tokens"] = prompt + completion },
            ["system_fingerprint"] = "fp_fake",
        };
    }

    /// <summary>An embeddings list shaped as ddtrace_openai_embeddings_float.json, one deterministic vector per input,
    /// written straight to JSON bytes so that large batches cost the benchmarks little.</summary>
    private byte[] Embeddings(string[] texts, JsonObject request)
    {
        var dims = EmbeddingDimensions;
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(texts.Length * (dims * 12 + 48) + 256);
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("object", "list");
            writer.WriteStartArray("data");
            for (var i = 0; i < texts.Length; i++)
            {
                var hash = (uint)texts[i].GetHashCode(StringComparison.Ordinal);
                writer.WriteStartObject();
                writer.WriteString("object", "embedding");
                writer.WriteNumber("index", i);
                writer.WriteStartArray("embedding");
                for (var d = 0; d < dims; d++) writer.WriteNumberValue(((hash >> (d % 32)) & 0xFF) / 255.0f);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteString("model", request["model"]?.GetValue<string>() ?? "text-embedding-3-small");
            var prompt = texts.Sum(Tokens);
            writer.WriteStartObject("usage");
            writer.WriteNumber("prompt_tokens", prompt);
            writer.WriteNumber("total_tokens", prompt);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
