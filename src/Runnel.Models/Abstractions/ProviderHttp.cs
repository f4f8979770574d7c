using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Runnel.Models.Abstractions;

/// <summary>A provider's HTTP answer, read whole: status, the response headers, the body's bytes, and the body
/// parsed as JSON on first use (null when it is not JSON).</summary>
public sealed record ProviderAnswer(int Status, bool IsSuccess, HttpResponseHeaders Headers)
{
    private JsonNode? _json;
    private bool _parsed;

    /// <summary>The body as JSON, parsed on first use; null when it is empty or not JSON.</summary>
    public JsonNode? Json
    {
        get
        {
            if (_parsed) return _json;
            try { _json = Bytes.Length == 0 ? null : JsonNode.Parse(Bytes); } catch (JsonException) { }
            _parsed = true;
            return _json;
        }
    }

    /// <summary>The body as received (for binary answers).</summary>
    public byte[] Bytes { get; init; } = [];

    /// <summary>The body as UTF-8 text.</summary>
    public string Text => System.Text.Encoding.UTF8.GetString(Bytes);

    /// <summary>The body cut to 300 characters, for messages.</summary>
    public string Snippet => Text is var text && text.Length > 300 ? text[..300] : text;

    /// <summary>The error of a 2xx answer whose body is not JSON (cut off, or a proxy's page): retryable, since the
    /// same request usually gets a whole answer next time.</summary>
    public ModelInvocationException NotJson() =>
        new($"The provider answered {Status} with a body that is not JSON: {(Bytes.Length > 120 ? Text[..120] + "..." : Text)}", Status, isRetryable: true);

    /// <summary>The error of a failed answer: "<paramref name="provider"/> returned 429 (code): message", carrying the
    /// status, the retry class and the wait the provider asked for (<see cref="RetryHints"/>).</summary>
    public ModelInvocationException Failure(string provider, string? code, string message, bool retryable) =>
        new($"{provider} returned {Status}{(code is null ? "" : $" ({code})")}: {message}", Status, retryable)
        {
            RetryAfter = RetryHints.From(Headers, message, DateTimeOffset.UtcNow),
        };
}

/// <summary>The one way providers send a request: connection failures and client timeouts become retryable
/// <see cref="ModelInvocationException"/>s (status 0 and 408) naming the endpoint without its query string (where keys
/// may travel), and the answer is read whole.</summary>
public static class ProviderHttp
{
    /// <summary>Sends <paramref name="request"/> (disposed here) and reads the answer; exactly one of the results is non-null.</summary>
    public static async Task<(ProviderAnswer? Answer, ModelInvocationException? Error)> SendAsync(HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(request);
        var where = request.RequestUri?.GetLeftPart(UriPartial.Path) ?? "the provider";
        using (request)
        {
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                return (null, new ModelInvocationException($"Could not reach {where}: {e.Message}", 0, isRetryable: true));
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return (null, new ModelInvocationException($"The call to {where} timed out after {http.Timeout.TotalSeconds:F0} s", 408, isRetryable: true));
            }
            using (response)
            {
                var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                return (new ProviderAnswer((int)response.StatusCode, response.IsSuccessStatusCode, response.Headers) { Bytes = bytes }, null);
            }
        }
    }

    /// <summary>The HTTP client of one model version's invoker: <c>&lt;provider&gt;.client_timeout</c> seconds a request
    /// (default 30, as Confluent), pooled connections renewed every 5 minutes, and no retry policy (one retry loop only:
    /// the runtime's).</summary>
    public static HttpClient CreateClient(ModelVersionInfo version, string provider)
    {
        ArgumentNullException.ThrowIfNull(version);
        var seconds = double.TryParse(version.Option($"{provider}.client_timeout"), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var t) ? t : 30;
        return new HttpClient(new SocketsHttpHandler { AutomaticDecompression = System.Net.DecompressionMethods.All, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = TimeSpan.FromSeconds(seconds),
        };
    }

    /// <summary>A POST of an encoded body with its content type (or <paramref name="contentType"/> when the model sets
    /// <c>input_content_type</c>) and an <c>Accept</c> of <paramref name="accept"/> when given.</summary>
    public static HttpRequestMessage Post(Uri endpoint, byte[] body, string contentType, string? accept)
    {
        ArgumentNullException.ThrowIfNull(body);
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (accept is not null) request.Headers.Accept.ParseAdd(accept);
        return request;
    }

    /// <summary>A POST of a JSON body to <paramref name="endpoint"/>.</summary>
    public static HttpRequestMessage PostJson(Uri endpoint, JsonNode body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = content };
    }
}
