using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;
using Runnel.Core.Errors;
using Runnel.Core.Options;
using Runnel.Core.Types;
using Runnel.Models.Abstractions;
using Runnel.Models.Formats;
using Runnel.Models.Providers.GoogleAI;

namespace Runnel.Models.Providers.VertexAI;

/// <summary>
/// The <c>vertexai</c> provider: Vertex AI endpoints at the connection's endpoint, authenticated with an OAuth2 access
/// token that Google.Apis.Auth gets for the connection's <c>service-key</c> (a service-account JSON; the token request
/// is a JWT signed with its private key, sent to its <c>token_uri</c>, scope <c>cloud-platform</c>), cached and
/// refreshed before it expires. Formats (<c>vertexai.input_format</c>, else inferred from the endpoint):
/// <list type="bullet">
/// <item><c>GEMINI-GENERATE</c> (= <c>GEMINI-CHAT</c>) for publisher Gemini endpoints (<c>..:generateContent</c>):
/// the same body and answer as the googleai provider;</item>
/// <item><c>VERTEX-EMBED</c> for publisher text-embedding models (<c>..publishers/google/models/text-embedding-*:predict</c>
/// or the embedding task): <c>{"instances": [{"content": text}, ...]}</c>, up to 250 texts and 20,000 estimated tokens a
/// request, answer
/// <c>predictions[i].embeddings.values</c>; params <c>dimensions</c> (outputDimensionality), <c>auto_truncate</c>
/// (autoTruncate), <c>task_type</c>;</item>
/// <item>otherwise a predictive format of <see cref="PredictiveCodec"/>, <c>TF-SERVING</c> by default (custom model
/// endpoints <c>..endpoints/{id}:predict</c>).</item>
/// </list>
/// Errors carry Google's HTTP code and status; 429 RESOURCE_EXHAUSTED, 408 and 5xx are retryable; a token endpoint that
/// refuses the key is a non-retryable error naming its error code.
/// </summary>
public sealed class VertexAIProvider : IModelProvider
{
    /// <summary>Texts per VERTEX-EMBED request (Vertex's limit for text-embedding models).</summary>
    public const int EmbedBatch = 250;

    /// <summary>Estimated tokens per VERTEX-EMBED request (Vertex's limit: 20,000).</summary>
    public const int EmbedTokens = 20_000;

    /// <summary>The OAuth2 scope requested for the access token.</summary>
    public const string Scope = "https://www.googleapis.com/auth/cloud-platform";

    private static readonly Dictionary<string, string> EmbedParams = new(StringComparer.OrdinalIgnoreCase)
    {
        ["dimensions"] = "outputDimensionality", ["auto_truncate"] = "autoTruncate", ["task_type"] = "task_type",
    };

    /// <inheritdoc />
    public string Name => "vertexai";

    /// <inheritdoc />
    public bool NeedsConnection => true;

    /// <inheritdoc />
    public IReadOnlyList<string> Tasks { get; } = ModelTasks.All;

    /// <inheritdoc />
    public IReadOnlyList<OptionDef> Options { get; } =
    [
        new("vertexai.input_format", OptionType.String, "Wire format: TF-SERVING (default) or another predictive format, GEMINI-GENERATE / GEMINI-CHAT, VERTEX-EMBED."),
        new("vertexai.output_format", OptionType.String, "Predictive formats: how the answer is read (default: the input format's)."),
        new("vertexai.system_prompt", OptionType.String, "GEMINI-GENERATE: sent as systemInstruction."),
        new("vertexai.params.*", OptionType.String, "GEMINI-GENERATE: generationConfig fields as for googleai; VERTEX-EMBED: dimensions, auto_truncate, task_type."),
    ];

    /// <summary>The format for a model version at an endpoint: the option, else GEMINI-GENERATE for
    /// <c>:generateContent</c>, VERTEX-EMBED for a publisher model with the embedding task or an embedding model name,
    /// else TF-SERVING.</summary>
    public static string Format(ModelVersionInfo version, string? endpoint)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (version.Option("vertexai.input_format") is { } set)
        {
            var f = set.Trim().ToUpperInvariant();
            return f == "GEMINI-CHAT" ? "GEMINI-GENERATE" : f is "GEMINI-GENERATE" or "VERTEX-EMBED" ? f : set.Trim();
        }
        var path = endpoint is null ? "" : new Uri(endpoint).AbsolutePath;
        if (path.EndsWith(":generateContent", StringComparison.Ordinal)) return "GEMINI-GENERATE";
        if (path.Contains("/publishers/", StringComparison.Ordinal) && (version.Task == ModelTasks.Embedding || path.Contains("embedding", StringComparison.OrdinalIgnoreCase)))
            return "VERTEX-EMBED";
        return "TF-SERVING";
    }

    /// <inheritdoc />
    public void Validate(ModelVersionInfo version)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (version.Option("vertexai.input_format") is null) return; // inferred from the endpoint when the invoker is made
        Check(version, Format(version, null));
    }

    private static PredictiveCodec? Check(ModelVersionInfo version, string format)
    {
        var sig = version.Signature;
        if (format is "GEMINI-GENERATE" or "VERTEX-EMBED")
        {
            var embed = format == "VERTEX-EMBED";
            if (sig.Inputs.Count != 1 || !sig.Inputs[0].Type.IsCharacter || sig.Outputs.Count != 1)
                throw new OptionException($"The {format} format takes a single STRING input and returns a single output");
            if (embed != (sig.Outputs[0].Type.Kind == TypeKind.Array))
                throw new OptionException($"The {format} format returns {(embed ? "ARRAY<FLOAT>" : "STRING")}");
            var allowed = embed ? EmbedParams : GoogleAIProvider.ParamFields;
            foreach (var (name, _) in ProviderParams.Of(version, "vertexai"))
                if (!allowed.ContainsKey(name))
                    throw new OptionException($"Parameter '{name}' is not supported by the {format} format. Supported: {string.Join(", ", allowed.Keys.Order(StringComparer.Ordinal))}");
            return null;
        }
        return PredictiveCodec.Create(format, version.Option("vertexai.output_format"), sig, ProviderParams.Of(version, "vertexai"));
    }

    /// <inheritdoc />
    public IModelInvoker CreateInvoker(ModelVersionInfo version, ConnectionInfo? connection)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (connection?.Endpoint is null) throw new OptionException($"Model '{version.ModelName}' needs 'vertexai.connection'");
        var format = Format(version, connection.Endpoint);
        var codec = Check(version, format);
        var key = connection.Secrets.TryGetValue("service-key", out var k) ? k : throw new OptionException($"Connection '{connection.Name}' has no service-key");
        var tokens = new AccessTokens(key, connection.Name);
        var endpoint = new Uri(connection.Endpoint);
        var http = ProviderHttp.CreateClient(version, "vertexai");
        if (format == "GEMINI-GENERATE") return new GeminiInvoker(version, "vertexai", "Vertex AI", endpoint, http, tokens.AuthorizeAsync);
        if (format == "VERTEX-EMBED") return new EmbedInvoker(version, endpoint, http, tokens);
        var contentType = version.Option("vertexai.input_content_type");
        var accept = version.Option("vertexai.output_content_type");
        return new PredictiveInvoker(codec!, async (request, ct) =>
        {
            var message = ProviderHttp.Post(endpoint, request.Body, contentType ?? request.ContentType, accept);
            await tokens.AuthorizeAsync(message, ct).ConfigureAwait(false);
            return await ProviderHttp.SendAsync(http, message, ct).ConfigureAwait(false);
        }, Failure, http);
    }

    private static ModelInvocationException Failure(ProviderAnswer answer) => GeminiInvoker.Failure(answer, "Vertex AI");

    /// <summary>Access tokens for a service account, from Google.Apis.Auth (which caches a token and gets a new one
    /// shortly before it expires).</summary>
    private sealed class AccessTokens
    {
        private readonly ITokenAccess _access;
        private readonly string _connection;

        public AccessTokens(SecretValue serviceKey, string connection)
        {
            _connection = connection;
            ServiceAccountCredential credential;
            try
            {
                credential = CredentialFactory.FromJson<ServiceAccountCredential>(serviceKey.Reveal());
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or Newtonsoft.Json.JsonException or FormatException or System.Security.Cryptography.CryptographicException)
            {
                throw new OptionException($"The service-key of connection '{connection}' is not a Google service-account JSON key: {e.GetType().Name}");
            }
            _access = credential.ToGoogleCredential().CreateScoped(Scope);
        }

        public async Task AuthorizeAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string token;
            try
            {
                token = await _access.GetAccessTokenForRequestAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (TokenResponseException e)
            {
                var status = (int?)e.StatusCode ?? 0;
                throw new ModelInvocationException(
                    $"Vertex AI: the token endpoint refused the service-key of connection '{_connection}' ({status} {e.Error?.Error}: {e.Error?.ErrorDescription})",
                    status, isRetryable: status is 0 or 408 or 429 or >= 500);
            }
            catch (HttpRequestException e)
            {
                throw new ModelInvocationException($"Vertex AI: could not reach the token endpoint: {e.Message}", 0, isRetryable: true);
            }
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    /// <summary>VERTEX-EMBED: many texts a <c>:predict</c> request.</summary>
    private sealed class EmbedInvoker(ModelVersionInfo version, Uri endpoint, HttpClient http, AccessTokens tokens) : IModelInvoker
    {
        public int PreferredBatchSize => EmbedBatch;

        public async Task<IReadOnlyList<ModelOutput>> PredictAsync(IReadOnlyList<object?[]> inputs, CancellationToken cancellationToken = default)
        {
            var results = new List<ModelOutput>(inputs.Count);
            foreach (var chunk in ProviderBatches.Split(inputs, EmbedBatch, EmbedTokens).Select(c => c.ToArray()))
            {
                var parameters = new JsonObject();
                string? taskType = null;
                foreach (var (name, value) in ProviderParams.Of(version, "vertexai"))
                    if (name == "task_type") taskType = value;
                    else parameters[EmbedParams[name]] = ProviderParams.Value(value);
                var instances = new JsonArray(chunk.Select(row =>
                {
                    var instance = new JsonObject { ["content"] = (string)row[0]! };
                    if (taskType is not null) instance["task_type"] = taskType;
                    return (JsonNode?)instance;
                }).ToArray());
                var body = new JsonObject { ["instances"] = instances };
                if (parameters.Count > 0) body["parameters"] = parameters;
                var request = ProviderHttp.PostJson(endpoint, body);
                await tokens.AuthorizeAsync(request, cancellationToken).ConfigureAwait(false);
                var (answer, error) = await ProviderHttp.SendAsync(http, request, cancellationToken).ConfigureAwait(false);
                if (error is null && !answer!.IsSuccess) error = Failure(answer);
                if (error is null && answer!.Json is null) error = answer.NotJson();
                if (error is not null)
                {
                    results.AddRange(chunk.Select(_ => ModelOutput.Failed(error)));
                    continue;
                }
                var predictions = answer!.Json!["predictions"] as JsonArray;
                for (var n = 0; n < chunk.Length; n++)
                    results.Add(predictions is not null && n < predictions.Count && predictions[n]?["embeddings"]?["values"] is JsonArray values
                        ? new ModelOutput([values.Select(v => (object?)v!.GetValue<float>()).ToArray()])
                        : ModelOutput.Failed(new ModelInvocationException($"The answer has no predictions[{n}].embeddings.values", 200)));
            }
            return results;
        }

        public ValueTask DisposeAsync()
        {
            http.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
