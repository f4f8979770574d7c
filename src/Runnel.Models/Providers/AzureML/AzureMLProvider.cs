using System.Net.Http.Headers;
using Runnel.Core.Errors;
using Runnel.Core.Options;
using Runnel.Models.Abstractions;
using Runnel.Models.Formats;
using Runnel.Models.Providers.OpenAI;

namespace Runnel.Models.Providers.AzureML;

/// <summary>
/// The <c>azureml</c> provider: Azure Machine Learning online endpoints. Requests go to the connection's endpoint
/// (<c>https://{endpoint}.{region}.inference.ml.azure.com/score</c>) with <c>Authorization: Bearer {api-key}</c>, and
/// <c>azureml.deployment_name</c> as the <c>azureml-model-deployment</c> header (without it the endpoint's traffic
/// rules pick the deployment). The wire format is <c>azureml.input_format</c>: a predictive format of
/// <see cref="PredictiveCodec"/>, by default <c>AZUREML-PANDAS-DATAFRAME</c> (up to 64 rows a request, answered with
/// a JSON list of one prediction per row), or <c>OPENAI-CHAT</c> for the chat models of Azure AI Studio (the
/// OpenAI chat body, <c>azureml.system_prompt</c> and <c>azureml.params.*</c>). 408, 429 and 5xx answers are
/// retryable; 424 (the scoring script failed) and 4xx are not.
/// </summary>
public sealed class AzureMLProvider : IModelProvider
{
    private const string Chat = "OPENAI-CHAT";
    private readonly ChatModels _chat = new();

    /// <inheritdoc />
    public string Name => "azureml";

    /// <inheritdoc />
    public bool NeedsConnection => true;

    /// <inheritdoc />
    public IReadOnlyList<string> Tasks { get; } = ModelTasks.All;

    /// <inheritdoc />
    public IReadOnlyList<OptionDef> Options { get; } =
    [
        new("azureml.deployment_name", OptionType.String, "The deployment, sent as the azureml-model-deployment header."),
        new("azureml.input_format", OptionType.String, "Wire format: AZUREML-PANDAS-DATAFRAME (default), another predictive format, or OPENAI-CHAT."),
        new("azureml.output_format", OptionType.String, "How the answer is read (default: the input format's)."),
        new("azureml.system_prompt", OptionType.String, "OPENAI-CHAT only: the system message."),
        new("azureml.params.*", OptionType.String, "OPENAI-CHAT: the chat fields (temperature, top_p, max_tokens, stop, ...); JSON: copied into the body."),
    ];

    private static string Format(ModelVersionInfo version) => version.Option("azureml.input_format")?.Trim() ?? "AZUREML-PANDAS-DATAFRAME";

    private static bool IsChat(ModelVersionInfo version) => Format(version).Equals(Chat, StringComparison.OrdinalIgnoreCase);

    private static PredictiveCodec Codec(ModelVersionInfo version) =>
        PredictiveCodec.Create(Format(version), version.Option("azureml.output_format"), version.Signature, ProviderParams.Of(version, "azureml"));

    /// <inheritdoc />
    public void Validate(ModelVersionInfo version)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (IsChat(version)) _chat.Validate(version);
        else Codec(version);
    }

    /// <inheritdoc />
    public IModelInvoker CreateInvoker(ModelVersionInfo version, ConnectionInfo? connection)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (connection?.Endpoint is null) throw new OptionException($"Model '{version.ModelName}' needs 'azureml.connection'");
        if (IsChat(version)) return _chat.CreateInvoker(version, connection);
        var key = connection.Secrets.TryGetValue("api-key", out var k) ? k : throw new OptionException($"Connection '{connection.Name}' has no api-key");
        var codec = Codec(version);
        var endpoint = new Uri(connection.Endpoint);
        var http = ProviderHttp.CreateClient(version, "azureml");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.Reveal());
        if (version.Option("azureml.deployment_name") is { } deployment) http.DefaultRequestHeaders.Add("azureml-model-deployment", deployment);
        var contentType = version.Option("azureml.input_content_type");
        var accept = version.Option("azureml.output_content_type");
        return new PredictiveInvoker(codec,
            (request, ct) => ProviderHttp.SendAsync(http, ProviderHttp.Post(endpoint, request.Body, contentType ?? request.ContentType, accept), ct),
            Failure, http);
    }

    private static ModelInvocationException Failure(ProviderAnswer answer)
    {
        var message = answer.Json?["message"]?.ToString() ?? answer.Json?["error"]?["message"]?.ToString() ?? answer.Snippet;
        var code = answer.Json?["error"]?["code"]?.ToString();
        return answer.Failure("Azure ML", code, message, answer.Status is 408 or 429 or 500 or 502 or 503 or 504);
    }

    /// <summary>Azure AI Studio chat models: the OpenAI chat format under the <c>azureml.</c> options, with the bearer key
    /// and the deployment header.</summary>
    private sealed class ChatModels : OpenAIProvider
    {
        protected override string Prefix => "azureml";

        protected override string DisplayName => "Azure ML";

        protected override bool SendsModelInBody => false;

        protected override void Authorize(HttpRequestHeaders headers, SecretValue key, ModelVersionInfo version)
        {
            base.Authorize(headers, key, version);
            if (version.Option("azureml.deployment_name") is { } deployment) headers.Add("azureml-model-deployment", deployment);
        }
    }
}
