using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Runnel.Core.Errors;
using Runnel.Core.Options;
using Runnel.Core.Types;
using Runnel.Models.Abstractions;

namespace Runnel.Models.Providers.OpenAI;

/// <summary>
/// The <c>openai</c> provider: chat completions (<c>OPENAI-CHAT</c>, one input per request) and embeddings
/// (<c>OPENAI-EMBED</c>, many inputs per request; float or base64 answers) over HTTP with a bearer key, against
/// api.openai.com or any OpenAI-compatible server (Ollama, vLLM, llama.cpp, LM Studio) given its endpoint. The system
/// prompt becomes the system message, <c>openai.params.*</c> map onto the request's fields. Errors carry the
/// provider's status and message; this class never retries (the runtime does).
/// </summary>
public class OpenAIProvider : IModelProvider
{
    /// <summary>The provider name, also the prefix of its options (<c>openai.model_version</c>).</summary>
    protected virtual string Prefix => "openai";

    /// <inheritdoc />
    public virtual string Name => Prefix;
    /// <inheritdoc />
    public bool NeedsConnection => true;
    /// <inheritdoc />
    public IReadOnlyList<string> Tasks { get; } = ModelTasks.All;

    /// <summary>Request fields a chat completion accepts from <c>openai.params.*</c>.</summary>
    private static readonly HashSet<string> ChatParams = new(StringComparer.OrdinalIgnoreCase)
        { "temperature", "top_p", "max_tokens", "stop", "presence_penalty", "frequency_penalty", "seed", "user", "n" };

    private static readonly HashSet<string> EmbedParams = new(StringComparer.OrdinalIgnoreCase) { "dimensions", "encoding_format", "user" };

    /// <inheritdoc />
    public IReadOnlyList<OptionDef> Options =>
    [
        new($"{Prefix}.model_version", OptionType.String, "Model name sent as 'model' (default gpt-3.5-turbo; text-embedding-ada-002 for OPENAI-EMBED)."),
        new($"{Prefix}.input_format", OptionType.Enum, "Wire format.", AllowedValues: ["OPENAI-CHAT", "OPENAI-EMBED", "AZURE-EMBED"]),
        new($"{Prefix}.output_format", OptionType.String, "Accepted for compatibility; the output follows the input format."),
        new($"{Prefix}.system_prompt", OptionType.String, "System message sent before each input."),
        new($"{Prefix}.params.*", OptionType.String, "Request fields: temperature, top_p, max_tokens, stop (comma-separated), presence_penalty, frequency_penalty, seed; for embeddings dimensions, encoding_format."),
        new($"{Prefix}.endpoint", OptionType.String, "Legacy form: the endpoint given on the model instead of a connection."),
        new($"{Prefix}.api_key", OptionType.String, "Legacy form: the key given on the model, usually '{{sessionconfig/sql.secrets.<name>}}'.", IsSecret: true),
    ];

    private string Format(ModelVersionInfo v) =>
        (v.Option($"{Prefix}.input_format") ?? (v.Task == ModelTasks.Embedding ? "OPENAI-EMBED" : "OPENAI-CHAT")).ToUpperInvariant();

    /// <summary>Puts the key (and any other per-model header) on the requests of <paramref name="version"/>:
    /// OpenAI's <c>Authorization: Bearer</c>.</summary>
    protected virtual void Authorize(HttpRequestHeaders headers, SecretValue key, ModelVersionInfo version) =>
        headers.Authorization = new AuthenticationHeaderValue("Bearer", key.Reveal());

    /// <summary>How requests are authorized when the connection has no api-key: null sends them without credentials
    /// (local OpenAI-compatible servers); a provider may instead put a token on each request.</summary>
    protected virtual Func<HttpRequestMessage, CancellationToken, Task>? KeylessAuthorizer(ConnectionInfo? connection) => null;

    /// <summary>True when the request body carries <c>model</c> (OpenAI); Azure deployments name it in the URL.</summary>
    protected virtual bool SendsModelInBody => true;

    /// <summary>The provider's name in error messages.</summary>
    protected virtual string DisplayName => "OpenAI";

    /// <inheritdoc />
    public void Validate(ModelVersionInfo version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var format = Format(version);
        var sig = version.Signature;
        var embed = format is "OPENAI-EMBED" or "AZURE-EMBED";
        if (sig.Inputs.Count != 1 || !sig.Inputs[0].Type.IsCharacter)
            throw new OptionException($"The {format} format needs a single STRING input, but INPUT is ({string.Join(", ", sig.Inputs.Select(c => $"{c.Name} {c.Type}"))})");
        if (embed && (sig.Outputs.Count != 1 || sig.Outputs[0].Type.Kind != TypeKind.Array || !sig.Outputs[0].Type.Element!.IsNumeric))
            throw new OptionException($"The {format} format returns one ARRAY<FLOAT> output");
        if (!embed && (sig.Outputs.Count != 1 || !sig.Outputs[0].Type.IsCharacter))
            throw new OptionException($"The {format} format returns one STRING output");
        var allowed = embed ? EmbedParams : ChatParams;
        var paramsPrefix = $"{Prefix}.params.";
        foreach (var key in version.Options.Keys.Where(k => k.StartsWith(paramsPrefix, StringComparison.OrdinalIgnoreCase)))
        {
            var param = key[paramsPrefix.Length..];
            if (!allowed.Contains(param))
                throw new OptionException($"Parameter '{param}' is not supported by the {format} format. Supported: {string.Join(", ", allowed.Order(StringComparer.Ordinal))}");
        }
    }

    /// <inheritdoc />
    public IModelInvoker CreateInvoker(ModelVersionInfo version, ConnectionInfo? connection)
    {
        ArgumentNullException.ThrowIfNull(version);
        var endpoint = connection?.Endpoint ?? version.Option($"{Prefix}.endpoint")
            ?? throw new OptionException($"Model '{version.ModelName}' has no endpoint: set '{Prefix}.connection' to a connection of type {Name}");
        SecretValue? key = null;
        if (connection is not null && connection.Secrets.TryGetValue("api-key", out var k)) key = k;
        else if (version.Secrets.TryGetValue($"{Prefix}.api_key", out var legacy)) key = legacy;
        return new Invoker(this, version, endpoint, key, Format(version), key is null ? KeylessAuthorizer(connection) : null);
    }

    private sealed class Invoker : IModelInvoker
    {
        private readonly OpenAIProvider _provider;
        private readonly ModelVersionInfo _version;
        private readonly Uri _endpoint;
        private readonly HttpClient _http;
        private readonly Func<HttpRequestMessage, CancellationToken, Task>? _authorize;
        private readonly bool _embed;
        private readonly string _model;

        public Invoker(OpenAIProvider provider, ModelVersionInfo version, string endpoint, SecretValue? key, string format, Func<HttpRequestMessage, CancellationToken, Task>? authorize)
        {
            _provider = provider;
            _version = version;
            _endpoint = new Uri(endpoint);
            _embed = format is "OPENAI-EMBED" or "AZURE-EMBED";
            _model = version.Option($"{provider.Prefix}.model_version") ?? (_embed ? "text-embedding-ada-002" : "gpt-3.5-turbo");
            _http = ProviderHttp.CreateClient(version, provider.Prefix);
            if (key is not null) provider.Authorize(_http.DefaultRequestHeaders, key, version);
            _authorize = authorize;
        }

        public int PreferredBatchSize => _embed ? 2048 : 1;

        /// <summary>Azure deployments name the model in the URL; OpenAI needs it in the body.</summary>
        private bool SendsModel => _provider.SendsModelInBody;

        public async Task<IReadOnlyList<ModelOutput>> PredictAsync(IReadOnlyList<object?[]> inputs, CancellationToken cancellationToken = default)
        {
            if (_embed) return await EmbedAsync(inputs, cancellationToken).ConfigureAwait(false);
            var results = new List<ModelOutput>(inputs.Count);
            foreach (var input in inputs) results.Add(await ChatAsync((string)input[0]!, cancellationToken).ConfigureAwait(false));
            return results;
        }

        private IEnumerable<(string Name, string Value)> Params() => ProviderParams.Of(_version, _provider.Prefix);

        /// <summary>OpenAI's string fields stay strings even when they look like numbers.</summary>
        private static JsonNode ParamValue(string key, string value) =>
            key is "user" or "encoding_format" ? JsonValue.Create(value) : ProviderParams.Value(value, list: key == "stop");

        private async Task<ModelOutput> ChatAsync(string input, CancellationToken cancellationToken)
        {
            var messages = new JsonArray();
            if (_version.Option($"{_provider.Prefix}.system_prompt") is { } system)
                messages.Add(new JsonObject { ["role"] = "system", ["content"] = system });
            messages.Add(new JsonObject { ["role"] = "user", ["content"] = input });
            var body = new JsonObject { ["messages"] = messages };
            if (SendsModel) body["model"] = _model;
            foreach (var (k, v) in Params()) body[k] = ParamValue(k, v);
            var (ok, json, error) = await SendAsync(body, cancellationToken).ConfigureAwait(false);
            if (!ok) return ModelOutput.Failed(error!);
            var choice = json!["choices"]?[0];
            var content = choice?["message"]?["content"]?.GetValue<string>();
            if (choice?["finish_reason"]?.GetValue<string>() == "content_filter")
                return ModelOutput.Failed(new ModelInvocationException("The provider filtered the completion (finish_reason: content_filter)", 200));
            return content is null
                ? ModelOutput.Failed(new ModelInvocationException("The provider's answer has no choices[0].message.content", 200))
                : new ModelOutput([content]) { Usage = ModelUsage.From(json) };
        }

        /// <summary>OpenAI's caps for one embeddings request.</summary>
        private const int MaxEmbedInputs = 2048, MaxEmbedTokens = 300_000;

        private async Task<IReadOnlyList<ModelOutput>> EmbedAsync(IReadOnlyList<object?[]> inputs, CancellationToken cancellationToken)
        {
            if (inputs.Count <= MaxEmbedInputs && inputs.Sum(i => ProviderBatches.EstimateTokens((string)i[0]!)) <= MaxEmbedTokens)
                return await EmbedRequestAsync(inputs, cancellationToken).ConfigureAwait(false);
            var results = new List<ModelOutput>(inputs.Count);
            foreach (var part in ProviderBatches.Split(inputs, MaxEmbedInputs, MaxEmbedTokens))
                results.AddRange(await EmbedRequestAsync(part, cancellationToken).ConfigureAwait(false));
            return results;
        }

        private async Task<IReadOnlyList<ModelOutput>> EmbedRequestAsync(IReadOnlyList<object?[]> inputs, CancellationToken cancellationToken)
        {
            var body = new JsonObject { ["input"] = new JsonArray(inputs.Select(i => (JsonNode?)JsonValue.Create((string)i[0]!)).ToArray()) };
            if (SendsModel) body["model"] = _model;
            foreach (var (k, v) in Params()) body[k] = ParamValue(k, v);
            var (answer, error) = await SendRawAsync(body, cancellationToken).ConfigureAwait(false);
            if (answer is null) return inputs.Select(_ => ModelOutput.Failed(error!)).ToList();
            // Read with JsonDocument rather than a node tree: a request may carry 2,048 vectors.
            var outputs = new ModelOutput[inputs.Count];
            ModelUsage? usage = null;
            try
            {
                using var document = System.Text.Json.JsonDocument.Parse(answer.Bytes);
                var root = document.RootElement;
                if (root.TryGetProperty("data", out var data) && data.ValueKind == System.Text.Json.JsonValueKind.Array)
                    foreach (var item in data.EnumerateArray())
                    {
                        var index = item.TryGetProperty("index", out var ix) && ix.TryGetInt32(out var n) ? n : -1;
                        if (index < 0 || index >= outputs.Length || !item.TryGetProperty("embedding", out var embedding)) continue;
                        object?[] vector;
                        if (embedding.ValueKind == System.Text.Json.JsonValueKind.String) vector = DecodeBase64Floats(embedding.GetString()!).Cast<object?>().ToArray();
                        else
                        {
                            vector = new object?[embedding.GetArrayLength()];
                            var k = 0;
                            foreach (var x in embedding.EnumerateArray()) vector[k++] = x.GetSingle();
                        }
                        outputs[index] = new ModelOutput([vector]);
                    }
                if (root.TryGetProperty("usage", out var u) && u.TryGetProperty("prompt_tokens", out var pt) && pt.TryGetInt64(out var prompt)) usage = new ModelUsage(prompt, 0);
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException)
            {
                var bad = new ModelInvocationException($"The provider's embeddings answer could not be read: {e.Message}", answer.Status);
                return inputs.Select(_ => ModelOutput.Failed(bad)).ToList();
            }
            for (var i = 0; i < outputs.Length; i++)
                outputs[i] ??= ModelOutput.Failed(new ModelInvocationException($"The provider's answer has no embedding for input {i}", 200));
            return ModelOutput.WithUsage(outputs, usage);
        }

        /// <summary>OpenAI's base64 embeddings are little-endian float32 arrays.</summary>
        private static float[] DecodeBase64Floats(string b64)
        {
            var bytes = Convert.FromBase64String(b64);
            var floats = new float[bytes.Length / 4];
            for (var i = 0; i < floats.Length; i++) floats[i] = BitConverter.ToSingle(bytes, i * 4);
            return floats;
        }

        private async Task<(bool Ok, JsonNode? Json, ModelInvocationException? Error)> SendAsync(JsonObject body, CancellationToken cancellationToken)
        {
            var (answer, error) = await SendRawAsync(body, cancellationToken).ConfigureAwait(false);
            if (answer is null) return (false, null, error);
            return answer.Json is null ? (false, null, answer.NotJson()) : (true, answer.Json, null);
        }

        /// <summary>Sends a request; a 2xx answer, or the classified error.</summary>
        private async Task<(ProviderAnswer? Answer, ModelInvocationException? Error)> SendRawAsync(JsonObject body, CancellationToken cancellationToken)
        {
            var request = ProviderHttp.PostJson(_endpoint, body);
            if (_authorize is not null) await _authorize(request, cancellationToken).ConfigureAwait(false);
            var (answer, error) = await ProviderHttp.SendAsync(_http, request, cancellationToken).ConfigureAwait(false);
            if (answer is null) return (null, error);
            if (answer.IsSuccess) return (answer, null);
            var message = answer.Json?["error"]?["message"]?.GetValue<string>() ?? answer.Snippet;
            var code = answer.Json?["error"]?["code"]?.ToString() ?? answer.Json?["error"]?["type"]?.ToString();
            var retryable = answer.Status is 408 or 429 or 500 or 502 or 503 or 504 && code != "insufficient_quota";
            if (code == "content_filter") message = "the provider's content filter refused the prompt: " + message;
            return (null, answer.Failure(_provider.DisplayName, code, message, retryable));
        }

        public ValueTask DisposeAsync()
        {
            _http.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
