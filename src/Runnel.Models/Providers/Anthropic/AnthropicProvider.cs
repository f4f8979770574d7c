using System.Text.Json.Nodes;
using Runnel.Core.Errors;
using Runnel.Core.Options;
using Runnel.Models.Abstractions;

namespace Runnel.Models.Providers.Anthropic;

/// <summary>
/// The <c>anthropic</c> provider: the Messages API (<c>ANTHROPIC-MESSAGES</c>) at the connection's endpoint
/// (<c>https://api.anthropic.com/v1/messages</c>) with the key in <c>x-api-key</c> and the API version in
/// <c>anthropic-version</c> (<c>anthropic.api_version</c>, default 2023-06-01). The input is the user message, the
/// system prompt goes in <c>system</c>, <c>anthropic.params.*</c> map to <c>max_tokens</c> (required by the API,
/// default 1024), <c>temperature</c>, <c>top_p</c>, <c>top_k</c> and <c>stop_sequences</c> (from <c>stop</c>). The
/// answer is the concatenated text blocks of <c>content</c>. 429 and 529 (overloaded) and 5xx are retryable.
/// </summary>
public sealed class AnthropicProvider : IModelProvider
{
    private static readonly Dictionary<string, string> ParamFields = new(StringComparer.OrdinalIgnoreCase)
    {
        ["max_tokens"] = "max_tokens", ["temperature"] = "temperature", ["top_p"] = "top_p", ["top_k"] = "top_k", ["stop"] = "stop_sequences",
    };

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
        new("anthropic.input_format", OptionType.Enum, "Wire format.", AllowedValues: ["ANTHROPIC-MESSAGES"]),
        new("anthropic.output_format", OptionType.String, "Accepted for compatibility; the output follows the input format."),
        new("anthropic.system_prompt", OptionType.String, "Sent as 'system'."),
        new("anthropic.params.*", OptionType.String, "Request fields: max_tokens, temperature, top_p, top_k, stop (comma-separated)."),
    ];

    /// <inheritdoc />
    public void Validate(ModelVersionInfo version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var sig = version.Signature;
        if (sig.Inputs.Count != 1 || !sig.Inputs[0].Type.IsCharacter || sig.Outputs.Count != 1 || !sig.Outputs[0].Type.IsCharacter)
            throw new OptionException("The ANTHROPIC-MESSAGES format takes a single STRING input and returns a single STRING output");
        foreach (var key in version.Options.Keys.Where(k => k.StartsWith("anthropic.params.", StringComparison.OrdinalIgnoreCase)))
        {
            var param = key["anthropic.params.".Length..];
            if (!ParamFields.ContainsKey(param))
                throw new OptionException($"Parameter '{param}' is not supported by the ANTHROPIC-MESSAGES format. Supported: {string.Join(", ", ParamFields.Keys.Order(StringComparer.Ordinal))}");
        }
    }

    /// <inheritdoc />
    public IModelInvoker CreateInvoker(ModelVersionInfo version, ConnectionInfo? connection)
    {
        ArgumentNullException.ThrowIfNull(version);
        var endpoint = connection?.Endpoint ?? throw new OptionException($"Model '{version.ModelName}' needs 'anthropic.connection'");
        var key = connection.Secrets.TryGetValue("api-key", out var k) ? k : throw new OptionException($"Connection '{connection.Name}' has no api-key");
        return new Invoker(version, new Uri(endpoint), key);
    }

    private sealed class Invoker : IModelInvoker
    {
        private readonly ModelVersionInfo _version;
        private readonly Uri _endpoint;
        private readonly HttpClient _http;

        public Invoker(ModelVersionInfo version, Uri endpoint, SecretValue key)
        {
            _version = version;
            _endpoint = endpoint;
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
            var body = new JsonObject
            {
                ["model"] = _version.Option("anthropic.model_version") ?? "claude-3-5-haiku-latest",
                ["max_tokens"] = 1024,
                ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = input }),
            };
            if (_version.Option("anthropic.system_prompt") is { } system) body["system"] = system;
            foreach (var (name, value) in ProviderParams.Of(_version, "anthropic"))
            {
                var field = ParamFields[name];
                body[field] = ProviderParams.Value(value, list: field == "stop_sequences");
            }
            var (answer, error) = await ProviderHttp.SendAsync(_http, ProviderHttp.PostJson(_endpoint, body), cancellationToken).ConfigureAwait(false);
            if (answer is null) return ModelOutput.Failed(error!);
            if (!answer.IsSuccess)
            {
                var message = answer.Json?["error"]?["message"]?.GetValue<string>() ?? answer.Snippet;
                var type = answer.Json?["error"]?["type"]?.GetValue<string>();
                return ModelOutput.Failed(answer.Failure("Anthropic", type, message, answer.Status is 408 or 429 or 500 or 502 or 503 or 504 or 529));
            }
            var blocks = answer.Json?["content"]?.AsArray();
            if (blocks is null) return ModelOutput.Failed(new ModelInvocationException("The provider's answer has no content", answer.Status));
            return new ModelOutput([string.Concat(blocks.Where(b => b?["type"]?.GetValue<string>() == "text").Select(b => b!["text"]!.GetValue<string>()))]);
        }

        public ValueTask DisposeAsync()
        {
            _http.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
