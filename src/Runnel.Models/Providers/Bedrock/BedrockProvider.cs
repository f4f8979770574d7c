using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Runnel.Core.Errors;
using Runnel.Core.Options;
using Runnel.Core.Types;
using Runnel.Models.Abstractions;
using Runnel.Models.Formats;

namespace Runnel.Models.Providers.Bedrock;

/// <summary>
/// The <c>bedrock</c> provider: Bedrock Runtime <c>InvokeModel</c> at the connection's endpoint
/// (<c>https://bedrock-runtime.{region}.amazonaws.com/model/{modelId}/invoke</c>), signed with AWS Signature Version 4
/// by AWSSDK.Core's <c>AWSSigV4Signer</c> (<see cref="AwsRequests"/>) (service <c>bedrock</c>, the region from the host; access key, secret
/// key and optional session token from the connection). The wire format is <c>bedrock.input_format</c> (any format of
/// <see cref="LlmCodec"/>, which holds each one's request and answer shapes), else inferred
/// from the model id: amazon.titan-embed → AMAZON-TITAN-EMBED, amazon.titan-text / titan-tg → AMAZON-TITAN-TEXT,
/// anthropic.claude → ANTHROPIC-MESSAGES, meta.llama → BEDROCK-LLAMA, cohere.command → COHERE-GENERATE, cohere.embed →
/// COHERE-EMBED (96 texts a request), mistral → MISTRAL-COMPLETIONS, ai21 → AI-21-COMPLETE; otherwise
/// AMAZON-TITAN-TEXT. Errors carry the HTTP status and the <c>x-amzn-ErrorType</c>; 429 ThrottlingException and 5xx
/// are retryable.
/// </summary>
public sealed class BedrockProvider : IModelProvider
{
    /// <summary>The formats a Bedrock model may use.</summary>
    private static readonly string[] Formats = [.. LlmCodec.Names];

    /// <inheritdoc />
    public string Name => "bedrock";

    /// <inheritdoc />
    public bool NeedsConnection => true;

    /// <inheritdoc />
    public IReadOnlyList<string> Tasks { get; } = ModelTasks.All;

    /// <inheritdoc />
    public IReadOnlyList<OptionDef> Options { get; } =
    [
        new("bedrock.input_format", OptionType.Enum, "Wire format (inferred from the model id in the endpoint when not set).", AllowedValues: Formats),
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
        var format = version.Option("bedrock.input_format");
        var sig = version.Signature;
        if (sig.Inputs.Count != 1 || !sig.Inputs[0].Type.IsCharacter || sig.Outputs.Count != 1)
            throw new OptionException("Bedrock LLM formats take a single STRING input and return a single output");
        if (format is null) return; // inferred from the model id when the invoker is made
        var codec = Codec(format);
        if (codec.IsEmbedding != (sig.Outputs[0].Type.Kind == TypeKind.Array))
            throw new OptionException($"The {codec.Name} format returns {(codec.IsEmbedding ? "ARRAY<FLOAT>" : "STRING")}");
        codec.CheckParams(ProviderParams.Of(version, "bedrock"));
    }

    private static LlmCodec Codec(string format) => LlmCodec.Find(format)
        ?? throw new OptionException($"Unsupported bedrock.input_format '{format}'. Supported: {string.Join(", ", Formats)}");

    /// <inheritdoc />
    public IModelInvoker CreateInvoker(ModelVersionInfo version, ConnectionInfo? connection)
    {
        ArgumentNullException.ThrowIfNull(version);
        var endpoint = connection?.Endpoint ?? throw new OptionException($"Model '{version.ModelName}' needs 'bedrock.connection'");
        var codec = Codec(Format(version, endpoint));
        codec.CheckParams(ProviderParams.Of(version, "bedrock"));
        var credentials = AwsRequests.Credentials(connection);
        var uri = new Uri(endpoint);
        return new Invoker(version, uri, codec, credentials, AwsRequests.Region(uri, connection));
    }

    private sealed class Invoker(ModelVersionInfo version, Uri endpoint, LlmCodec codec, AWSCredentials credentials, string region) : IModelInvoker
    {
        private readonly HttpClient _http = ProviderHttp.CreateClient(version, "bedrock");

        public int PreferredBatchSize => codec.MaxInputs;

        public async Task<IReadOnlyList<ModelOutput>> PredictAsync(IReadOnlyList<object?[]> inputs, CancellationToken cancellationToken = default)
        {
            var results = new List<ModelOutput>(inputs.Count);
            foreach (var chunk in inputs.Chunk(codec.MaxInputs))
            {
                var body = codec.Request([.. chunk.Select(i => (string)i[0]!)], version.Option("bedrock.system_prompt"), ProviderParams.Of(version, "bedrock"));
                if (codec.Name == "ANTHROPIC-MESSAGES") body["anthropic_version"] = "bedrock-2023-05-31";
                var (json, usage, error) = await SendAsync(body, cancellationToken).ConfigureAwait(false);
                results.AddRange(error is not null ? chunk.Select(_ => ModelOutput.Failed(error)) : ModelOutput.WithUsage(codec.Read(json!, chunk.Length), usage));
            }
            return results;
        }

        private async Task<(JsonNode? Json, ModelUsage? Usage, ModelInvocationException? Error)> SendAsync(JsonObject body, CancellationToken cancellationToken)
        {
            var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
            var headers = new Dictionary<string, string> { ["content-type"] = "application/json", ["accept"] = "application/json" };
            var request = AwsRequests.SignedPost(endpoint, bytes, headers, credentials, "bedrock", region);
            var (answer, error) = await ProviderHttp.SendAsync(_http, request, cancellationToken).ConfigureAwait(false);
            if (answer is null) return (null, null, error);
            if (answer.IsSuccess) return answer.Json is null ? (null, null, answer.NotJson()) : (answer.Json, ModelUsage.From(answer.Json, answer.Headers), null);
            return (null, null, AwsRequests.Failure(answer, "Bedrock"));
        }

        public ValueTask DisposeAsync()
        {
            _http.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
