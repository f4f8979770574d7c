using System.Text.Json.Nodes;
using Runnel.Core.Errors;
using Runnel.Core.Options;
using Runnel.Core.Types;
using Runnel.Models.Abstractions;

namespace Runnel.Models.Providers.GoogleAI;

/// <summary>
/// The <c>googleai</c> provider: Gemini over the Generative Language API with the <c>x-goog-api-key</c> header.
/// <c>GEMINI-GENERATE</c> (= <c>GEMINI-CHAT</c>) posts to the connection's <c>..:generateContent</c> endpoint with the
/// input as the user turn, the system prompt as <c>systemInstruction</c> and params in <c>generationConfig</c>
/// (temperature, topP, topK, maxOutputTokens, stopSequences); the answer is the first candidate's text. A candidate
/// stopped for SAFETY (or a blocked prompt) is a non-retryable error naming the reason. For the embedding task the
/// endpoint is <c>..:embedContent</c> (one text a request) or <c>..:batchEmbedContents</c> (up to 100 a request).
/// Google's errors carry their HTTP code and status; 429 RESOURCE_EXHAUSTED and 5xx are retryable.
/// </summary>
public sealed class GoogleAIProvider : IModelProvider
{
    /// <summary>The generationConfig field of each param name.</summary>
    internal static readonly Dictionary<string, string> ParamFields = new(StringComparer.OrdinalIgnoreCase)
    {
        ["temperature"] = "temperature", ["top_p"] = "topP", ["top_k"] = "topK", ["max_tokens"] = "maxOutputTokens",
        ["stop"] = "stopSequences", ["candidate_count"] = "candidateCount", ["seed"] = "seed",
    };

    /// <inheritdoc />
    public string Name => "googleai";

    /// <inheritdoc />
    public bool NeedsConnection => true;

    /// <inheritdoc />
    public IReadOnlyList<string> Tasks { get; } = ModelTasks.All;

    /// <inheritdoc />
    public IReadOnlyList<OptionDef> Options { get; } =
    [
        new("googleai.input_format", OptionType.Enum, "Wire format.", AllowedValues: ["GEMINI-GENERATE", "GEMINI-CHAT"]),
        new("googleai.output_format", OptionType.String, "Accepted for compatibility; the output follows the input format."),
        new("googleai.system_prompt", OptionType.String, "Sent as systemInstruction."),
        new("googleai.params.*", OptionType.String, "generationConfig fields: temperature, top_p, top_k, max_tokens, stop (comma-separated), candidate_count, seed."),
    ];

    /// <inheritdoc />
    public void Validate(ModelVersionInfo version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var sig = version.Signature;
        if (sig.Inputs.Count != 1 || !sig.Inputs[0].Type.IsCharacter)
            throw new OptionException("Gemini models take a single STRING input");
        var embed = version.Task == ModelTasks.Embedding;
        if (embed && (sig.Outputs.Count != 1 || sig.Outputs[0].Type.Kind != TypeKind.Array))
            throw new OptionException("A Gemini embedding model returns one ARRAY<FLOAT> output");
        if (!embed && (sig.Outputs.Count != 1 || !sig.Outputs[0].Type.IsCharacter))
            throw new OptionException("The GEMINI-GENERATE format returns one STRING output");
        foreach (var key in version.Options.Keys.Where(k => k.StartsWith("googleai.params.", StringComparison.OrdinalIgnoreCase)))
        {
            var param = key["googleai.params.".Length..];
            if (embed || !ParamFields.ContainsKey(param))
                throw new OptionException($"Parameter '{param}' is not supported by the {(embed ? "Gemini embedding" : "GEMINI-GENERATE")} format. Supported: {(embed ? "none" : string.Join(", ", ParamFields.Keys.Order(StringComparer.Ordinal)))}");
        }
    }

    /// <inheritdoc />
    public IModelInvoker CreateInvoker(ModelVersionInfo version, ConnectionInfo? connection)
    {
        ArgumentNullException.ThrowIfNull(version);
        var endpoint = connection?.Endpoint ?? throw new OptionException($"Model '{version.ModelName}' needs 'googleai.connection'");
        var key = connection.Secrets.TryGetValue("api-key", out var k) ? k : throw new OptionException($"Connection '{connection.Name}' has no api-key");
        var http = ProviderHttp.CreateClient(version, "googleai");
        http.DefaultRequestHeaders.Add("x-goog-api-key", key.Reveal());
        return new GeminiInvoker(version, "googleai", "Google AI", new Uri(endpoint), http, null);
    }
}

/// <summary>Gemini's REST methods (<c>generateContent</c>, <c>embedContent</c>, <c>batchEmbedContents</c>, chosen by the
/// endpoint's <c>:method</c>) for the googleai and vertexai providers, which differ only in authentication
/// (<paramref name="authorize"/> adds a per-request header; the API key sits on the client).</summary>
internal sealed class GeminiInvoker(ModelVersionInfo version, string prefix, string displayName, Uri endpoint, HttpClient http,
    Func<HttpRequestMessage, CancellationToken, Task>? authorize) : IModelInvoker
{
    private readonly string _method = endpoint.AbsolutePath[(endpoint.AbsolutePath.LastIndexOf(':') + 1)..];

    public int PreferredBatchSize => _method == "batchEmbedContents" ? 100 : 1;

    /// <summary><c>models/&lt;name&gt;</c> from an endpoint path such as <c>/v1beta/models/gemini-embedding-001:batchEmbedContents</c>.</summary>
    private string ModelPath()
    {
        var path = endpoint.AbsolutePath;
        var at = path.IndexOf("/models/", StringComparison.Ordinal);
        return at < 0 ? "models/unknown" : path[(at + 1)..path.LastIndexOf(':')];
    }

    public async Task<IReadOnlyList<ModelOutput>> PredictAsync(IReadOnlyList<object?[]> inputs, CancellationToken cancellationToken = default)
    {
        switch (_method)
        {
            case "batchEmbedContents":
            {
                var requests = new JsonArray(inputs.Select(i => (JsonNode?)new JsonObject
                {
                    ["model"] = ModelPath(),
                    ["content"] = new JsonObject { ["parts"] = new JsonArray(new JsonObject { ["text"] = (string)i[0]! }) },
                }).ToArray());
                var (json, error) = await SendAsync(new JsonObject { ["requests"] = requests }, cancellationToken).ConfigureAwait(false);
                if (error is not null) return inputs.Select(_ => ModelOutput.Failed(error)).ToList();
                var embeddings = json!["embeddings"]?.AsArray() ?? [];
                return inputs.Select((_, n) => n < embeddings.Count ? Vector(embeddings[n]!["values"]) : Missing(n)).ToList();
            }
            case "embedContent":
            {
                var results = new List<ModelOutput>();
                foreach (var input in inputs)
                {
                    var body = new JsonObject { ["content"] = new JsonObject { ["parts"] = new JsonArray(new JsonObject { ["text"] = (string)input[0]! }) } };
                    var (json, error) = await SendAsync(body, cancellationToken).ConfigureAwait(false);
                    results.Add(error is not null ? ModelOutput.Failed(error) : Vector(json!["embedding"]?["values"]));
                }
                return results;
            }
            default:
            {
                var results = new List<ModelOutput>();
                foreach (var input in inputs) results.Add(await GenerateAsync((string)input[0]!, cancellationToken).ConfigureAwait(false));
                return results;
            }
        }
    }

    private static ModelOutput Missing(int n) => ModelOutput.Failed(new ModelInvocationException($"The provider's answer has no embedding for input {n}", 200));

    private static ModelOutput Vector(JsonNode? values) => values is JsonArray arr
        ? new ModelOutput([arr.Select(v => (object?)v!.GetValue<float>()).ToArray()])
        : ModelOutput.Failed(new ModelInvocationException("The provider's answer has no embedding values", 200));

    private async Task<ModelOutput> GenerateAsync(string input, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["contents"] = new JsonArray(new JsonObject { ["role"] = "user", ["parts"] = new JsonArray(new JsonObject { ["text"] = input }) }) };
        if (version.Option($"{prefix}.system_prompt") is { } system)
            body["systemInstruction"] = new JsonObject { ["parts"] = new JsonArray(new JsonObject { ["text"] = system }) };
        var config = new JsonObject();
        foreach (var (name, value) in ProviderParams.Of(version, prefix))
        {
            var field = GoogleAIProvider.ParamFields[name];
            config[field] = ProviderParams.Value(value, list: field == "stopSequences");
        }
        if (config.Count > 0) body["generationConfig"] = config;
        var (json, error) = await SendAsync(body, cancellationToken).ConfigureAwait(false);
        if (error is not null) return ModelOutput.Failed(error);
        if (json!["promptFeedback"]?["blockReason"]?.GetValue<string>() is { } blocked)
            return ModelOutput.Failed(new ModelInvocationException($"Gemini blocked the prompt ({blocked})", 200));
        var candidate = json["candidates"]?[0];
        var reason = candidate?["finishReason"]?.GetValue<string>();
        if (reason is "SAFETY" or "RECITATION" or "BLOCKLIST" or "PROHIBITED_CONTENT" or "SPII")
            return ModelOutput.Failed(new ModelInvocationException($"Gemini stopped the answer for {reason} (finishReason: {reason})", 200));
        var parts = candidate?["content"]?["parts"]?.AsArray();
        if (parts is null) return ModelOutput.Failed(new ModelInvocationException("The provider's answer has no candidates[0].content.parts", 200));
        return new ModelOutput([string.Concat(parts.Select(p => p?["text"]?.GetValue<string>() ?? ""))]) { Usage = ModelUsage.From(json) };
    }

    private async Task<(JsonNode? Json, ModelInvocationException? Error)> SendAsync(JsonObject body, CancellationToken cancellationToken)
    {
        var request = ProviderHttp.PostJson(endpoint, body);
        if (authorize is not null) await authorize(request, cancellationToken).ConfigureAwait(false);
        var (answer, error) = await ProviderHttp.SendAsync(http, request, cancellationToken).ConfigureAwait(false);
        if (answer is null) return (null, error);
        if (answer.IsSuccess) return answer.Json is null ? (null, answer.NotJson()) : (answer.Json, null);
        return (null, Failure(answer, displayName));
    }

    /// <summary>Google's error body (<c>{"error": {"code", "message", "status"}}</c>, Gemini and Vertex alike) as a
    /// classified error: 408, 429 (RESOURCE_EXHAUSTED) and 5xx are retryable.</summary>
    internal static ModelInvocationException Failure(ProviderAnswer answer, string displayName)
    {
        var message = answer.Json?["error"]?["message"]?.ToString() ?? answer.Snippet;
        var code = answer.Json?["error"]?["status"]?.ToString();
        return answer.Failure(displayName, code, message, answer.Status is 408 or 429 or 500 or 502 or 503 or 504);
    }

    public ValueTask DisposeAsync()
    {
        http.Dispose();
        return ValueTask.CompletedTask;
    }
}
