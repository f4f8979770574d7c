using System.Text.Json.Nodes;
using Runnel.Core.Errors;
using Runnel.Core.Options;
using Runnel.Models.Abstractions;
using Runnel.Models.Formats;

namespace Runnel.Models.Providers.Anthropic;

/// <summary>
/// The <c>anthropic</c> provider: the Messages API (<c>ANTHROPIC-MESSAGES</c>) at the connection's endpoint
/// (<c>https://api.anthropic.com/v1/messages</c>) with the key in <c>x-api-key</c> and the API version in
/// <c>anthropic-version</c> (<c>anthropic.api_version</c>, default 2023-06-01); the body is the ANTHROPIC-MESSAGES (or
/// legacy ANTHROPIC-COMPLETIONS) format of <see cref="LlmCodec"/> plus <c>model</c>: the input is the user message, the
/// system prompt goes in <c>system</c>, <c>anthropic.params.*</c> map to <c>max_tokens</c> (required by the API,
/// default 1024), <c>temperature</c>, <c>top_p</c>, <c>top_k</c> and <c>stop_sequences</c> (from <c>stop</c>). The
/// answer is the concatenated text blocks of <c>content</c>. 429 and 529 (overloaded) and 5xx are retryable.
/// </summary>
public sealed class AnthropicProvider : IModelProvider
{
    /// <inheritdoc />
    public string Name => "anthropic";

    /// <inheritdoc />
    public bool NeedsConnection => true;

    /// <inheritdoc />
    public IReadOnlyList<string> Tasks { get; } = [ModelTasks.Classification, ModelTasks.TextGeneration];

    /// <inheritdoc />
    public IReadOnlyList<OptionDef> Options { get; } =
    [
        new("anthropic.model_version", OptionType.String, "Model name sent as 'model' (default claude-3-5-haiku-latest)."),
        new("anthropic.api_version", OptionType.String, "Sent as the anthropic-version header.", Default: "2023-06-01"),
        new("anthropic.input_format", OptionType.Enum, "Wire format: ANTHROPIC-MESSAGES (default, /v1/messages) or ANTHROPIC-COMPLETIONS (legacy /v1/complete).", AllowedValues: ["ANTHROPIC-MESSAGES", "ANTHROPIC-COMPLETIONS"]),
        new("anthropic.output_format", OptionType.String, "Accepted for compatibility; the output follows the input format."),
        new("anthropic.system_prompt", OptionType.String, "Sent as 'system'."),
        new("anthropic.params.*", OptionType.String, "Request fields: max_tokens, temperature, top_p, top_k, stop (comma-separated)."),
    ];

    private static LlmCodec Codec(ModelVersionInfo version) => LlmCodec.Find(version.Option("anthropic.input_format") ?? "ANTHROPIC-MESSAGES") is { Name: "ANTHROPIC-MESSAGES" or "ANTHROPIC-COMPLETIONS" } codec
        ? codec : throw new OptionException("anthropic.input_format must be ANTHROPIC-MESSAGES or ANTHROPIC-COMPLETIONS");

    /// <inheritdoc />
    public void Validate(ModelVersionInfo version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var sig = version.Signature;
        var codec = Codec(version);
        if (sig.Inputs.Count != 1 || !sig.Inputs[0].Type.IsCharacter || sig.Outputs.Count != 1 || !sig.Outputs[0].Type.IsCharacter)
            throw new OptionException($"The {codec.Name} format takes a single STRING input and returns a single STRING output");
        codec.CheckParams(ProviderParams.Of(version, "anthropic"));
    }

    /// <inheritdoc />
    public IModelInvoker CreateInvoker(ModelVersionInfo version, ConnectionInfo? connection)
    {
        ArgumentNullException.ThrowIfNull(version);
        var endpoint = connection?.Endpoint ?? throw new OptionException($"Model '{version.ModelName}' needs 'anthropic.connection'");
        var key = connection.Secrets.TryGetValue("api-key", out var k) ? k : throw new OptionException($"Connection '{connection.Name}' has no api-key");
        return new Invoker(version, new Uri(endpoint), key, Codec(version));
    }

    private sealed class Invoker : IModelInvoker
    {
        private readonly ModelVersionInfo _version;
        private readonly Uri _endpoint;
        private readonly HttpClient _http;
        private readonly LlmCodec _codec;

        public Invoker(ModelVersionInfo version, Uri endpoint, SecretValue key, LlmCodec codec)
        {
            _version = version;
            _endpoint = endpoint;
            _codec = codec;
            _http = ProviderHttp.CreateClient(version, "anthropic");
            _http.DefaultRequestHeaders.Add("x-api-key", key.Reveal());
            _http.DefaultRequestHeaders.Add("anthropic-version", version.Option("anthropic.api_version") ?? "2023-06-01");
        }

        public int PreferredBatchSize => 1;

        public async Task<IReadOnlyList<ModelOutput>> PredictAsync(IReadOnlyList<object?[]> inputs, CancellationToken cancellationToken = default)
        {
            var results = new List<ModelOutput>();
            foreach (var input in inputs) results.Add(await MessageAsync((string)input[0]!, cancellationToken).ConfigureAwait(false));
            return results;
        }

        private async Task<ModelOutput> MessageAsync(string input, CancellationToken cancellationToken)
        {
            var body = _codec.Request([input], _version.Option("anthropic.system_prompt"), ProviderParams.Of(_version, "anthropic"));
            body["model"] = _version.Option("anthropic.model_version") ?? "claude-3-5-haiku-latest";
            var (answer, error) = await ProviderHttp.SendAsync(_http, ProviderHttp.PostJson(_endpoint, body), cancellationToken).ConfigureAwait(false);
            if (answer is null) return ModelOutput.Failed(error!);
            if (!answer.IsSuccess)
            {
                var message = answer.Json?["error"]?["message"]?.GetValue<string>() ?? answer.Snippet;
                var type = answer.Json?["error"]?["type"]?.GetValue<string>();
                return ModelOutput.Failed(answer.Failure("Anthropic", type, message, answer.Status is 408 or 429 or 500 or 502 or 503 or 504 or 529));
            }
            return answer.Json is null ? ModelOutput.Failed(answer.NotJson()) : _codec.Read(answer.Json, 1)[0] with { Usage = ModelUsage.From(answer.Json) };
        }

        public ValueTask DisposeAsync()
        {
            _http.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
