using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Runnel.TestSupport;

/// <summary>
/// An OpenAI-compatible server on loopback (Kestrel, a free port) that answers with the bodies recorded from the real
/// API in <c>shared/fixtures/providers/openai</c>, and checks each request as the real service would: a bearer key,
/// a model, chat messages or an embeddings input. Chat answers are the recorded completion with its content replaced
/// by <see cref="Reply"/>'s answer (default: the recorded content). A wrong key gets the recorded 401 body; a request
/// with <c>"model": "bad-model"</c> gets the recorded 400 body. Every request body is kept for assertions.
/// </summary>
public sealed class FakeOpenAIServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _expectedKey;

    private FakeOpenAIServer(WebApplication app, string expectedKey)
    {
        _app = app;
        _expectedKey = expectedKey;
    }

    public string BaseUrl { get; private set; } = "";
    public string ChatUrl => BaseUrl + "/v1/chat/completions";
    public string EmbeddingsUrl => BaseUrl + "/v1/embeddings";
    public ConcurrentQueue<JsonObject> Requests { get; } = new();
    public ConcurrentQueue<string?> AuthorizationHeaders { get; } = new();
    /// <summary>The chat answer for a user message; null keeps the recorded content.</summary>
    public Func<string, string?> Reply { get; set; } = _ => null;

    public static string FixturesDirectory
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "shared", "fixtures", "providers"))) dir = dir.Parent;
            return dir is null ? throw new DirectoryNotFoundException("shared/fixtures/providers not found above " + AppContext.BaseDirectory)
                : Path.Combine(dir.FullName, "shared", "fixtures", "providers", "openai");
        }
    }

    private static JsonNode RecordedResponse(string file) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(FixturesDirectory, file)))!["Entries"]![0]!["ResponseBody"]!.DeepClone();

    private static JsonNode RecordedFloatEmbedding() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(FixturesDirectory, "ddtrace_openai_embeddings_float.json")))!["interactions"]![0]!["response"]!["body_json"]!.DeepClone();

    public static async Task<FakeOpenAIServer> StartAsync(string expectedKey)
    {
        // Fail here, with the path, when the recordings are missing (CI has shared/ beside the clone).
        _ = FixturesDirectory;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeOpenAIServer(app, expectedKey);
        app.MapPost("/v1/chat/completions", (Delegate)server.ChatAsync);
        app.MapPost("/v1/embeddings", (Delegate)server.EmbeddingsAsync);
        await app.StartAsync().ConfigureAwait(false);
        server.BaseUrl = app.Urls.First().TrimEnd('/');
        return server;
    }

    private async Task<(JsonObject? Body, IResult? Error)> ReadAsync(HttpContext context)
    {
        var auth = context.Request.Headers.Authorization.ToString();
        AuthorizationHeaders.Enqueue(auth);
        var body = (await JsonNode.ParseAsync(context.Request.Body).ConfigureAwait(false))!.AsObject();
        Requests.Enqueue(body);
        if (auth != "Bearer " + _expectedKey)
            return (null, Results.Json(RecordedResponse("openai-dotnet_chat_completions_401_invalid_api_key.json"), statusCode: 401));
        if (body["model"]?.GetValue<string>() is not { Length: > 0 } model)
            return (null, Results.Json(new JsonObject { ["error"] = new JsonObject { ["message"] = "you must provide a model parameter", ["type"] = "invalid_request_error" } }, statusCode: 400));
        if (model == "bad-model")
            return (null, Results.Json(RecordedResponse("openai-dotnet_chat_completions_400_invalid_function_parameters.json"), statusCode: 400));
        return (body, null);
    }

    private async Task<IResult> ChatAsync(HttpContext context)
    {
        var (body, error) = await ReadAsync(context).ConfigureAwait(false);
        if (error is not null) return error;
        var messages = body!["messages"]?.AsArray();
        if (messages is null || messages.Count == 0 || messages[^1]!["role"]?.GetValue<string>() != "user")
            return Results.Json(new JsonObject { ["error"] = new JsonObject { ["message"] = "messages must end with a user message", ["type"] = "invalid_request_error" } }, statusCode: 400);
        var user = messages[^1]!["content"]!.GetValue<string>();
        var response = RecordedResponse("openai-dotnet_chat_completions_200_hello_world.json");
        if (Reply(user) is { } answer) response["choices"]![0]!["message"]!["content"] = answer;
        return Results.Json(response);
    }

    private async Task<IResult> EmbeddingsAsync(HttpContext context)
    {
        var (body, error) = await ReadAsync(context).ConfigureAwait(false);
        if (error is not null) return error;
        var inputs = body!["input"] is JsonArray arr ? arr.Count : 1;
        var base64 = body["encoding_format"]?.GetValue<string>() == "base64";
        // Recorded answers: three base64 embeddings (456 dimensions) or one float embedding; repeat them to fit.
        var recorded = base64 ? RecordedResponse("openai-dotnet_embeddings_200_batch3_base64_dim456.json") : RecordedFloatEmbedding();
        var items = recorded["data"]!.AsArray();
        var data = new JsonArray();
        for (var i = 0; i < inputs; i++)
        {
            var item = items[i % items.Count]!.DeepClone();
            item["index"] = i;
            data.Add(item);
        }
        recorded["data"] = data;
        return Results.Json(recorded);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
