using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Runnel.Core.Errors;
using Runnel.Core.Options;
using Runnel.Core.Types;
using Runnel.Models.Abstractions;
using Runnel.Models.Providers.VertexAI;
using Runnel.TestSupport;

namespace Runnel.Models.Tests;

/// <summary>The vertexai provider against a loopback Vertex AI with its own OAuth2 token endpoint. The test makes a
/// real RSA key and a service-account JSON whose <c>token_uri</c> is the fake; the token endpoint verifies the JWT
/// assertion's RS256 signature with the public key, its issuer, audience (Google's token URL, which the library
/// always names) and scope, as Google's does, and hands out
/// numbered access tokens; the prediction endpoints accept only the newest one. Answers are the recordings in
/// shared/fixtures/providers/google_vertex_ai (the custom-endpoint :predict response, the Gemini reply, the 429 and
/// 403 errors); the text-embedding answer is not recorded publicly and is built from the documented response template
/// in issues_vertex_predict_response_examples.json.</summary>
public sealed class VertexAIProviderTests : IAsyncDisposable
{
    private const string Email = "runnel-test@test-project.iam.gserviceaccount.com";
    private readonly RSA _key = RSA.Create(2048);
    private readonly ConcurrentQueue<JsonNode> _assertions = new();
    private LoopbackServer? _server;
    private int _issued;

    /// <summary>Seconds each issued token lives.</summary>
    private int TokenLifetime { get; set; } = 3600;

    /// <summary>When set, the token endpoint refuses every assertion with this OAuth2 error.</summary>
    private string? RefuseWith { get; set; }

    private static JsonNode Fixture(string file) => LoopbackServer.Fixture("google_vertex_ai", file);

    private async Task<LoopbackServer> StartAsync(Func<RecordedRequest, (int, JsonNode)> predict)
    {
        _server = await LoopbackServer.StartAsync(r =>
        {
            if (r.PathAndQuery == "/token") return Token(r);
            return r.Headers.GetValueOrDefault("authorization") == $"Bearer ya29.token-{Volatile.Read(ref _issued)}"
                ? predict(r)
                : (401, new JsonObject { ["error"] = new JsonObject { ["code"] = 401, ["message"] = "Request had invalid authentication credentials.", ["status"] = "UNAUTHENTICATED" } });
        });
        return _server;
    }

    private (int, JsonNode) Token(RecordedRequest request)
    {
        var form = Encoding.UTF8.GetString(request.RawBody).Split('&').Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1].Replace('+', ' ')));
        if (form.GetValueOrDefault("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer")
            return (400, new JsonObject { ["error"] = "unsupported_grant_type" });
        var parts = form["assertion"].Split('.');
        var signed = _key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var claims = JsonNode.Parse(Base64Url(parts[1]))!;
        _assertions.Enqueue(claims);
        if (!signed || claims["iss"]!.GetValue<string>() != Email || claims["aud"]!.GetValue<string>() != "https://oauth2.googleapis.com/token"
            || !claims["scope"]!.GetValue<string>().Contains(VertexAIProvider.Scope, StringComparison.Ordinal))
            return (400, new JsonObject { ["error"] = "invalid_grant", ["error_description"] = "Invalid JWT Signature." });
        if (RefuseWith is not null) return (400, new JsonObject { ["error"] = RefuseWith, ["error_description"] = "Invalid grant: account not found" });
        var n = Interlocked.Increment(ref _issued);
        return (200, new JsonObject { ["access_token"] = $"ya29.token-{n}", ["expires_in"] = TokenLifetime, ["token_type"] = "Bearer" });
    }

    private static byte[] Base64Url(string s)
    {
        s = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }

    private ConnectionInfo Connection(string path, RSA? key = null) => new()
    {
        Name = "vertex",
        Type = "vertexai",
        Endpoint = _server!.BaseUrl + path,
        Secrets = new Dictionary<string, SecretValue>
        {
            ["service-key"] = new(new JsonObject
            {
                ["type"] = "service_account",
                ["project_id"] = "test-project",
                ["private_key_id"] = "k1",
                ["private_key"] = (key ?? _key).ExportPkcs8PrivateKeyPem(),
                ["client_email"] = Email,
                ["client_id"] = "1000",
                ["token_uri"] = _server.BaseUrl + "/token",
            }.ToJsonString()),
        },
    };

    private static ModelVersionInfo Version(string task, Column input, Column output, params (string, string)[] options) => new()
    {
        ModelName = "m",
        Version = 1,
        Task = task,
        Signature = new ModelSignature([input], [output]),
        Options = options.Append(("provider", "vertexai")).ToDictionary(o => o.Item1, o => o.Item2),
    };

    private const string CustomEndpoint = "/v1/projects/test-project/locations/us-central1/endpoints/1234567890:predict";
    private const string Gemini = "/v1/projects/test-project/locations/us-central1/publishers/google/models/gemini-1.5-flash:generateContent";

    [Fact]
    public async Task TfServing_IsTheDefaultForCustomEndpoints_WithOneCachedToken()
    {
        var recorded = Fixture("issues_vertex_predict_response_examples.json")["examples"]![0]!["response"]!;
        await StartAsync(r => (200, recorded));
        var version = Version(ModelTasks.Classification, new Column("pixels", SqlType.Array(SqlType.Double)), new Column("scores", SqlType.Array(SqlType.Double)));
        await using var invoker = new VertexAIProvider().CreateInvoker(version, Connection(CustomEndpoint));

        for (var call = 0; call < 3; call++)
        {
            var output = (await invoker.PredictAsync([[new object?[] { 0.1, 0.2 }]]))[0];
            Assert.Null(output.Error);
            Assert.Equal(0.999076247215271, ((object?[])output.Values![0]!)[0]);
            Assert.Equal(4, ((object?[])output.Values![0]!).Length);
        }
        Assert.Single(_assertions);
        var predict = _server!.Requests.Where(r => r.PathAndQuery != "/token").ToList();
        Assert.Equal(3, predict.Count);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"instances": [[0.1, 0.2]]}"""), predict[0].Body));
    }

    [Fact]
    public async Task ATokenCloseToExpiry_IsRefreshedBeforeTheNextCall()
    {
        TokenLifetime = 60; // inside the library's refresh window, so every call gets a fresh token
        var recorded = Fixture("issues_vertex_predict_response_examples.json")["examples"]![0]!["response"]!;
        await StartAsync(r => (200, recorded));
        var version = Version(ModelTasks.Classification, new Column("pixels", SqlType.Array(SqlType.Double)), new Column("scores", SqlType.Array(SqlType.Double)));
        await using var invoker = new VertexAIProvider().CreateInvoker(version, Connection(CustomEndpoint));
        for (var call = 0; call < 2; call++) Assert.Null((await invoker.PredictAsync([[new object?[] { 0.1 }]]))[0].Error);
        Assert.Equal(2, _assertions.Count);
        Assert.Equal(["Bearer ya29.token-1", "Bearer ya29.token-2"], _server!.Requests.Where(r => r.PathAndQuery != "/token").Select(r => r.Headers["authorization"]));
    }

    [Fact]
    public async Task GeminiPublisherEndpoints_UseGenerateContent_WithTheBearerToken()
    {
        var recorded = Fixture("firebase-testdata_vertexai_unary-success-basic-reply-short.json");
        await StartAsync(r => (200, recorded));
        var version = Version(ModelTasks.TextGeneration, new Column("q", SqlType.String), new Column("a", SqlType.String),
            ("vertexai.system_prompt", "Answer briefly."), ("vertexai.params.temperature", "0"));
        new VertexAIProvider().Validate(version);
        Assert.Equal("GEMINI-GENERATE", VertexAIProvider.Format(version, "https://x" + Gemini));
        await using var invoker = new VertexAIProvider().CreateInvoker(version, Connection(Gemini));

        var output = (await invoker.PredictAsync([["Where is Google headquartered?"]]))[0];

        Assert.Null(output.Error);
        Assert.Equal("Mountain View, California", output.Values![0]);
        var request = _server!.Requests.Single(r => r.PathAndQuery != "/token");
        Assert.Equal("Where is Google headquartered?", request.Body!["contents"]![0]!["parts"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("Answer briefly.", request.Body["systemInstruction"]!["parts"]![0]!["text"]!.GetValue<string>());
        Assert.Equal(0, request.Body["generationConfig"]!["temperature"]!.GetValue<int>());
    }

    [Fact]
    public async Task QuotaExceeded_IsARetryableThrottle_PermissionDeniedIsNot()
    {
        var status = 429;
        await StartAsync(r => status == 429
            ? (429, Fixture("firebase-testdata_vertexai_unary-failure-quota-exceeded.json"))
            : (403, Fixture("firebase-testdata_vertexai_unary-failure-iam-permission-denied.json")));
        var version = Version(ModelTasks.TextGeneration, new Column("q", SqlType.String), new Column("a", SqlType.String));
        await using var invoker = new VertexAIProvider().CreateInvoker(version, Connection(Gemini));
        var throttled = (await invoker.PredictAsync([["hi"]]))[0].Error!;
        Assert.Equal(429, throttled.Status);
        Assert.True(throttled.IsRetryable);
        Assert.Contains("RESOURCE_EXHAUSTED", throttled.Message, StringComparison.Ordinal);
        status = 403;
        var denied = (await invoker.PredictAsync([["hi"]]))[0].Error!;
        Assert.False(denied.IsRetryable);
        Assert.Contains("PERMISSION_DENIED", denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VertexEmbed_SendsManyTextsARequest()
    {
        // Built from the documented text-embedding response template (no public recording exists).
        await StartAsync(r => (200, new JsonObject
        {
            ["predictions"] = new JsonArray(r.Body!["instances"]!.AsArray().Select((_, i) => (JsonNode?)new JsonObject
            {
                ["embeddings"] = new JsonObject
                {
                    ["statistics"] = new JsonObject { ["truncated"] = false, ["token_count"] = 6 },
                    ["values"] = new JsonArray(i, 0.5),
                },
            }).ToArray()),
            ["metadata"] = new JsonObject { ["billableCharacterCount"] = 12 },
        }));
        var version = Version(ModelTasks.Embedding, new Column("text", SqlType.String), new Column("v", SqlType.Array(SqlType.Float)), ("vertexai.params.dimensions", "2"));
        await using var invoker = new VertexAIProvider().CreateInvoker(version, Connection("/v1/projects/p/locations/us-central1/publishers/google/models/text-embedding-005:predict"));
        Assert.Equal(VertexAIProvider.EmbedBatch, invoker.PreferredBatchSize);

        var outputs = await invoker.PredictAsync([["a"], ["b"], ["c"]]);

        Assert.Equal([0f, 1f, 2f], outputs.Select(o => (float)((object?[])o.Values![0]!)[0]!));
        var request = _server!.Requests.Single(r => r.PathAndQuery != "/token");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"instances": [{"content": "a"}, {"content": "b"}, {"content": "c"}], "parameters": {"outputDimensionality": 2}}"""), request.Body));
    }

    [Fact]
    public async Task ARefusedOrBadServiceKey_IsAClearError_WithoutTheKey()
    {
        RefuseWith = "invalid_grant";
        await StartAsync(r => (200, new JsonObject()));
        var version = Version(ModelTasks.TextGeneration, new Column("q", SqlType.String), new Column("a", SqlType.String));
        await using (var invoker = new VertexAIProvider().CreateInvoker(version, Connection(Gemini)))
        {
            var error = await Assert.ThrowsAsync<ModelInvocationException>(() => invoker.PredictAsync([["hi"]]));
            Assert.False(error.IsRetryable);
            Assert.Contains("invalid_grant", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("PRIVATE KEY", error.Message, StringComparison.Ordinal);
        }
        var notJson = new ConnectionInfo { Name = "vertex", Type = "vertexai", Endpoint = _server!.BaseUrl + Gemini, Secrets = new Dictionary<string, SecretValue> { ["service-key"] = new("{\"type\": \"service_account\"}") } };
        var e = Assert.Throws<OptionException>(() => new VertexAIProvider().CreateInvoker(version, notJson));
        Assert.Contains("not a Google service-account JSON key", e.Message, StringComparison.Ordinal);
        // Signed with another key: the token endpoint's signature check refuses it.
        RefuseWith = null;
        using var other = RSA.Create(2048);
        await using var wrong = new VertexAIProvider().CreateInvoker(version, Connection(Gemini, other));
        Assert.Contains("Invalid JWT Signature", (await Assert.ThrowsAsync<ModelInvocationException>(() => wrong.PredictAsync([["hi"]]))).Message, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        _key.Dispose();
    }
}
