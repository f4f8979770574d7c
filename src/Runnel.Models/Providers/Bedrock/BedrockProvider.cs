using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Runnel.Core.Errors;
using Runnel.Core.Options;
using Runnel.Core.Types;
using Runnel.Models.Abstractions;

namespace Runnel.Models.Providers.Bedrock;

/// <summary>
/// The <c>bedrock</c> provider: Bedrock Runtime <c>InvokeModel</c> at the connection's endpoint
/// (<c>https://bedrock-runtime.{region}.amazonaws.com/model/{modelId}/invoke</c>), signed with AWS Signature Version 4
/// by AWSSDK.Core's <c>AWSSigV4Signer</c> (<see cref="AwsRequests"/>) (service <c>bedrock</c>, the region from the host; access key, secret
/// key and optional session token from the connection). The wire format is <c>bedrock.input_format</c>, else inferred
/// from the model id: amazon.titan-embed → AMAZON-TITAN-EMBED, amazon.titan-text / titan-tg → AMAZON-TITAN-TEXT,
/// anthropic.claude → ANTHROPIC-MESSAGES, meta.llama → BEDROCK-LLAMA, cohere.command → COHERE-GENERATE, cohere.embed →
/// COHERE-EMBED (96 texts a request), mistral → MISTRAL-COMPLETIONS, ai21 → AI-21-COMPLETE; otherwise
/// AMAZON-TITAN-TEXT. Errors carry the HTTP status and the <c>x-amzn-ErrorType</c>; 429 ThrottlingException and 5xx
/// are retryable.
/// </summary>
public sealed class BedrockProvider : IModelProvider
{
    /// <summary>Params each format accepts, mapped to its request field names.</summary>
    private static readonly Dictionary<string, Dictionary<string, string>> Params = new()
    {
        ["AMAZON-TITAN-TEXT"] = new(StringComparer.OrdinalIgnoreCase) { ["temperature"] = "temperature", ["top_p"] = "topP", ["max_tokens"] = "maxTokenCount", ["stop"] = "stopSequences" },
        ["AMAZON-TITAN-EMBED"] = new(StringComparer.OrdinalIgnoreCase) { ["dimensions"] = "dimensions" },
        ["ANTHROPIC-MESSAGES"] = new(StringComparer.OrdinalIgnoreCase) { ["temperature"] = "temperature", ["top_p"] = "top_p", ["top_k"] = "top_k", ["max_tokens"] = "max_tokens", ["stop"] = "stop_sequences" },
        ["BEDROCK-LLAMA"] = new(StringComparer.OrdinalIgnoreCase) { ["temperature"] = "temperature", ["top_p"] = "top_p", ["max_tokens"] = "max_gen_len" },
        ["COHERE-GENERATE"] = new(StringComparer.OrdinalIgnoreCase) { ["temperature"] = "temperature", ["top_p"] = "p", ["top_k"] = "k", ["max_tokens"] = "max_tokens", ["stop"] = "stop_sequences" },
        ["COHERE-EMBED"] = new(StringComparer.OrdinalIgnoreCase) { ["input_type"] = "input_type", ["truncate"] = "truncate" },
        ["MISTRAL-COMPLETIONS"] = new(StringComparer.OrdinalIgnoreCase) { ["temperature"] = "temperature", ["top_p"] = "top_p", ["top_k"] = "top_k", ["max_tokens"] = "max_tokens", ["stop"] = "stop" },
        ["AI-21-COMPLETE"] = new(StringComparer.OrdinalIgnoreCase) { ["temperature"] = "temperature", ["top_p"] = "topP", ["max_tokens"] = "maxTokens", ["stop"] = "stopSequences" },
    };

    /// <inheritdoc />
    public string Name => "bedrock";

    /// <inheritdoc />
    public bool NeedsConnection => true;

    /// <inheritdoc />
    public IReadOnlyList<string> Tasks { get; } = ModelTasks.All;

    /// <inheritdoc />
    public IReadOnlyList<OptionDef> Options { get; } =
    [
        new("bedrock.input_format", OptionType.Enum, "Wire format (inferred from the model id in the endpoint when not set).", AllowedValues: [.. Params.Keys]),
        new("bedrock.output_format", OptionType.String, "Accepted for compatibility; the output follows the input format."),
        new("bedrock.system_prompt", OptionType.String, "The system prompt (Anthropic's 'system'; prepended to the prompt for the other text formats)."),
        new("bedrock.params.*", OptionType.String, "Request fields; which ones depends on the format (docs/providers.md)."),
    ];

    /// <summary>The format for a model id, as the provider infers it.</summary>
    public static string InferFormat(string modelId)
    {
        var id = Uri.UnescapeDataString(modelId).ToLowerInvariant();
        if (id.Contains("amazon.titan-embed", StringComparison.Ordinal)) return "AMAZON-TITAN-EMBED";
        if (id.Contains("anthropic.claude", StringComparison.Ordinal)) return "ANTHROPIC-MESSAGES";
        if (id.Contains("meta.llama", StringComparison.Ordinal)) return "BEDROCK-LLAMA";
        if (id.Contains("cohere.embed", StringComparison.Ordinal)) return "COHERE-EMBED";
        if (id.Contains("cohere.command", StringComparison.Ordinal)) return "COHERE-GENERATE";
        if (id.Contains("mistral", StringComparison.Ordinal)) return "MISTRAL-COMPLETIONS";
        if (id.Contains("ai21", StringComparison.Ordinal)) return "AI-21-COMPLETE";
        return "AMAZON-TITAN-TEXT";
    }

    private static string ModelId(Uri endpoint)
    {
        var segments = endpoint.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var at = Array.IndexOf(segments, "model");
        return at >= 0 && at + 1 < segments.Length ? segments[at + 1] : "";
    }

    private static string Format(ModelVersionInfo version, string? endpoint) =>
        (version.Option("bedrock.input_format") ?? (endpoint is null ? "AMAZON-TITAN-TEXT" : InferFormat(ModelId(new Uri(endpoint))))).ToUpperInvariant();

    /// <inheritdoc />
    public void Validate(ModelVersionInfo version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var format = version.Option("bedrock.input_format")?.ToUpperInvariant();
        var sig = version.Signature;
        if (sig.Inputs.Count != 1 || !sig.Inputs[0].Type.IsCharacter || sig.Outputs.Count != 1)
            throw new OptionException("Bedrock LLM formats take a single STRING input and return a single output");
        if (format is null) return;
        var embed = format.EndsWith("-EMBED", StringComparison.Ordinal);
        if (embed != (sig.Outputs[0].Type.Kind == TypeKind.Array))
            throw new OptionException($"The {format} format returns {(embed ? "ARRAY<FLOAT>" : "STRING")}");
        CheckParams(version, format);
    }

    private static void CheckParams(ModelVersionInfo version, string format)
    {
        foreach (var key in version.Options.Keys.Where(k => k.StartsWith("bedrock.params.", StringComparison.OrdinalIgnoreCase)))
        {
            var param = key["bedrock.params.".Length..];
            if (!Params[format].ContainsKey(param))
                throw new OptionException($"Parameter '{param}' is not supported by the {format} format. Supported: {string.Join(", ", Params[format].Keys.Order(StringComparer.Ordinal))}");
        }
    }

    /// <inheritdoc />
    public IModelInvoker CreateInvoker(ModelVersionInfo version, ConnectionInfo? connection)
    {
        ArgumentNullException.ThrowIfNull(version);
        var endpoint = connection?.Endpoint ?? throw new OptionException($"Model '{version.ModelName}' needs 'bedrock.connection'");
        var format = Format(version, endpoint);
        CheckParams(version, format);
        var credentials = AwsRequests.Credentials(connection);
        var uri = new Uri(endpoint);
        return new Invoker(version, uri, format, credentials, AwsRequests.Region(uri, connection));
    }

    private sealed class Invoker(ModelVersionInfo version, Uri endpoint, string format, AWSCredentials credentials, string region) : IModelInvoker
    {
        private readonly HttpClient _http = ProviderHttp.CreateClient(version, "bedrock");

        public int PreferredBatchSize => format == "COHERE-EMBED" ? 96 : 1;

        public async Task<IReadOnlyList<ModelOutput>> PredictAsync(IReadOnlyList<object?[]> inputs, CancellationToken cancellationToken = default)
        {
            if (format == "COHERE-EMBED")
            {
                var body = new JsonObject { ["texts"] = new JsonArray(inputs.Select(i => (JsonNode?)JsonValue.Create((string)i[0]!)).ToArray()), ["input_type"] = "search_document" };
                ApplyParams(body);
                var (json, error) = await SendAsync(body, cancellationToken).ConfigureAwait(false);
                if (error is not null) return inputs.Select(_ => ModelOutput.Failed(error)).ToList();
                var vectors = json!["embeddings"]?.AsArray() ?? [];
                return inputs.Select((_, n) => n < vectors.Count ? Vector(vectors[n]) : ModelOutput.Failed(new ModelInvocationException($"No embedding for input {n}", 200))).ToList();
            }
            var results = new List<ModelOutput>();
            foreach (var input in inputs) results.Add(await InvokeOneAsync((string)input[0]!, cancellationToken).ConfigureAwait(false));
            return results;
        }

        private static ModelOutput Vector(JsonNode? values) => values is JsonArray arr
            ? new ModelOutput([arr.Select(v => (object?)v!.GetValue<float>()).ToArray()])
            : ModelOutput.Failed(new ModelInvocationException("The provider's answer has no embedding", 200));

        private void ApplyParams(JsonObject target)
        {
            foreach (var (name, value) in ProviderParams.Of(version, "bedrock"))
            {
                var field = Params[format][name];
                target[field] = ProviderParams.Value(value, list: field.StartsWith("stop", StringComparison.Ordinal));
            }
        }

        private async Task<ModelOutput> InvokeOneAsync(string input, CancellationToken cancellationToken)
        {
            var system = version.Option("bedrock.system_prompt");
            var prompt = system is null ? input : system + "\n\n" + input;
            JsonObject body;
            switch (format)
            {
                case "AMAZON-TITAN-EMBED":
                    body = new JsonObject { ["inputText"] = input };
                    ApplyParams(body);
                    break;
                case "ANTHROPIC-MESSAGES":
                    body = new JsonObject
                    {
                        ["anthropic_version"] = "bedrock-2023-05-31",
                        ["max_tokens"] = 1024,
                        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = input }),
                    };
                    if (system is not null) body["system"] = system;
                    ApplyParams(body);
                    break;
                case "AMAZON-TITAN-TEXT":
                {
                    var config = new JsonObject();
                    ApplyParams(config);
                    body = new JsonObject { ["inputText"] = prompt };
                    if (config.Count > 0) body["textGenerationConfig"] = config;
                    break;
                }
                default:
                    body = new JsonObject { ["prompt"] = prompt };
                    ApplyParams(body);
                    break;
            }
            var (json, error) = await SendAsync(body, cancellationToken).ConfigureAwait(false);
            if (error is not null) return ModelOutput.Failed(error);
            JsonNode? text = format switch
            {
                "AMAZON-TITAN-EMBED" => null,
                "ANTHROPIC-MESSAGES" => JsonValue.Create(string.Concat(json!["content"]?.AsArray().Where(b => b?["type"]?.GetValue<string>() == "text").Select(b => b!["text"]!.GetValue<string>()) ?? [])),
                "AMAZON-TITAN-TEXT" => json!["results"]?[0]?["outputText"],
                "BEDROCK-LLAMA" => json!["generation"],
                "COHERE-GENERATE" => json!["generations"]?[0]?["text"],
                "MISTRAL-COMPLETIONS" => json!["outputs"]?[0]?["text"],
                _ => json!["completions"]?[0]?["data"]?["text"],
            };
            if (format == "AMAZON-TITAN-EMBED") return Vector(json!["embedding"]);
            return text is null
                ? ModelOutput.Failed(new ModelInvocationException($"The provider's answer has no text for the {format} format", 200))
                : new ModelOutput([text.GetValue<string>()]);
        }

        private async Task<(JsonNode? Json, ModelInvocationException? Error)> SendAsync(JsonObject body, CancellationToken cancellationToken)
        {
            var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
            var headers = new Dictionary<string, string> { ["content-type"] = "application/json", ["accept"] = "application/json" };
            var request = AwsRequests.SignedPost(endpoint, bytes, headers, credentials, "bedrock", region);
            var (answer, error) = await ProviderHttp.SendAsync(_http, request, cancellationToken).ConfigureAwait(false);
            if (answer is null) return (null, error);
            if (answer.IsSuccess) return answer.Json is null ? (null, answer.NotJson()) : (answer.Json, null);
            return (null, AwsRequests.Failure(answer, "Bedrock"));
        }

        public ValueTask DisposeAsync()
        {
            _http.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
