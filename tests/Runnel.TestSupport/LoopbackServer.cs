using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Runnel.TestSupport;

/// <summary>What a fake endpoint saw: path with query, headers, JSON body.</summary>
public sealed record RecordedRequest(string PathAndQuery, IReadOnlyDictionary<string, string> Headers, JsonNode? Body)
{
    /// <summary>The body as received, byte for byte.</summary>
    public byte[] RawBody { get; init; } = [];

    /// <summary>The HTTP method.</summary>
    public string Method { get; init; } = "POST";
    /// <summary>When the server received the request.</summary>
    public DateTimeOffset ReceivedAt { get; init; } = DateTimeOffset.UtcNow;
}

/// <summary>
/// A JSON HTTP server on loopback (Kestrel, a free port) for provider fakes: every POST goes to one handler that
/// sees the request and answers with a status and a JSON body (usually a recorded one from
/// <c>shared/fixtures/providers</c>). Requests are kept for assertions.
/// </summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackServer(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public static Task<LoopbackServer> StartAsync(Func<RecordedRequest, (int Status, JsonNode Body)> handler) =>
        StartAsync(r => { var (status, body) = handler(r); return (status, body, new Dictionary<string, string>()); });

    /// <summary>A server whose answers also carry response headers (retry hints and the like).</summary>
    public static async Task<LoopbackServer> StartAsync(Func<RecordedRequest, (int Status, JsonNode Body, IReadOnlyDictionary<string, string> Headers)> handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new LoopbackServer(app);
        app.MapPost("/{**path}", (Delegate)(async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer).ConfigureAwait(false);
            var raw = buffer.ToArray();
            JsonNode? body = null;
            try { body = JsonNode.Parse(raw); } catch (System.Text.Json.JsonException) { }
            var request = new RecordedRequest(context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()), body) { RawBody = raw, Method = context.Request.Method };
            server.Requests.Enqueue(request);
            var (status, answer, headers) = handler(request);
            // A string answer with a non-JSON content-type header is sent as that text (CSV, plain text).
            if (headers.TryGetValue("content-type", out var type) && !type.Contains("json", StringComparison.Ordinal) && answer is JsonValue text && text.TryGetValue<string>(out var plain))
            {
                foreach (var (name, value) in headers.Where(h => h.Key != "content-type")) context.Response.Headers[name] = value;
                // Binary answers travel base64-encoded in the test and are sent as their bytes.
                if (type == "application/octet-stream") return Results.Bytes(Convert.FromBase64String(plain), type);
                return Results.Text(plain, type, System.Text.Encoding.UTF8, status);
            }
            foreach (var (name, value) in headers) context.Response.Headers[name] = value;
            return Results.Json(answer, statusCode: status);
        }));
        await app.StartAsync().ConfigureAwait(false);
        server.BaseUrl = app.Urls.First().TrimEnd('/');
        return server;
    }

    /// <summary>A recorded file of <c>shared/fixtures/providers/&lt;provider&gt;</c>, parsed.</summary>
    public static JsonNode Fixture(string provider, string file) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(FakeOpenAIServer.FixturesDirectory)!, provider, file)))!;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
