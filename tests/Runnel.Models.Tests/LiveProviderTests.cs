using Runnel.Core.Options;
using Runnel.Core.Types;
using Runnel.Models.Abstractions;
using Runnel.Models.Providers.Anthropic;
using Runnel.Models.Providers.AzureML;
using Runnel.Models.Providers.AzureOpenAI;
using Runnel.Models.Providers.Bedrock;
using Runnel.Models.Providers.GoogleAI;
using Runnel.Models.Providers.SageMaker;
using Runnel.Models.Providers.VertexAI;

using Runnel.TestSupport;

namespace Runnel.Models.Tests;

/// <summary>One call to each real provider, run only when its credentials are in the environment (names in
/// docs/providers.md, "Live tests"); otherwise reported as skipped. Each asks a sentiment question with temperature 0
/// (or embeds a sentence) and checks the answer's content, not only that one arrived.</summary>
public sealed class LiveProviderTests
{
    private static string Env(string name) => Environment.GetEnvironmentVariable(name)!;
    private static string? EnvOr(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

    private const string Positive = "I love this product, it is wonderful.";

    private static ModelVersionInfo Chat(string provider, params (string, string)[] options) => new()
    {
        ModelName = "live",
        Version = 1,
        Task = ModelTasks.Classification,
        Signature = new ModelSignature([new Column("text", SqlType.String)], [new Column("label", SqlType.String)]),
        Options = options.Concat([("provider", provider), ($"{provider}.system_prompt", "Answer with one word: POSITIVE or NEGATIVE.")])
            .ToDictionary(o => o.Item1, o => o.Item2),
    };

    private static ConnectionInfo Connection(string type, string endpoint, params (string Key, string? Value)[] secrets) => new()
    {
        Name = "live",
        Type = type,
        Endpoint = endpoint,
        Secrets = secrets.Where(s => s.Value is not null).ToDictionary(s => s.Key, s => new SecretValue(s.Value!)),
    };

    private static async Task AssertPositiveAsync(IModelProvider provider, ModelVersionInfo version, ConnectionInfo connection)
    {
        provider.Validate(version);
        await using var invoker = provider.CreateInvoker(version, connection);
        var result = (await invoker.PredictAsync([[Positive]]))[0];
        Assert.Null(result.Error);
        Assert.Contains("POSITIVE", ((string)result.Values![0]!).ToUpperInvariant(), StringComparison.Ordinal);
    }

    private static (string, string?)[] AwsSecrets() =>
        [("aws-access-key", Env("RUNNEL_LIVE_AWS_ACCESS_KEY")), ("aws-secret-key", Env("RUNNEL_LIVE_AWS_SECRET_KEY")), ("aws-session-token", EnvOr("RUNNEL_LIVE_AWS_SESSION_TOKEN"))];

    [LiveFact("RUNNEL_LIVE_AZUREOPENAI_ENDPOINT")]
    public Task AzureOpenAI_KeyOrEntraId() => AssertPositiveAsync(new AzureOpenAIProvider(), Chat("azureopenai", ("azureopenai.params.temperature", "0")),
        Connection("azureopenai", Env("RUNNEL_LIVE_AZUREOPENAI_ENDPOINT"), ("api-key", EnvOr("RUNNEL_LIVE_AZUREOPENAI_API_KEY"))));

    [LiveFact("RUNNEL_LIVE_AZUREML_CHAT_ENDPOINT", "RUNNEL_LIVE_AZUREML_API_KEY")]
    public Task AzureML_AIStudioChat() => AssertPositiveAsync(new AzureMLProvider(), Chat("azureml", ("azureml.input_format", "OPENAI-CHAT"), ("azureml.params.temperature", "0")),
        Connection("azureml", Env("RUNNEL_LIVE_AZUREML_CHAT_ENDPOINT"), ("api-key", Env("RUNNEL_LIVE_AZUREML_API_KEY"))));

    [LiveFact("RUNNEL_LIVE_AWS_ACCESS_KEY", "RUNNEL_LIVE_AWS_SECRET_KEY")]
    public Task Bedrock_Claude() => AssertPositiveAsync(new BedrockProvider(), Chat("bedrock", ("bedrock.params.temperature", "0")),
        Connection("bedrock", EnvOr("RUNNEL_LIVE_BEDROCK_ENDPOINT") ?? "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1:0/invoke", AwsSecrets()));

    [LiveFact("RUNNEL_LIVE_AWS_ACCESS_KEY", "RUNNEL_LIVE_AWS_SECRET_KEY", "RUNNEL_LIVE_SAGEMAKER_ENDPOINT")]
    public async Task SageMaker_TextGenerationInference()
    {
        // A Hugging Face TGI endpoint: {"inputs": ..., "parameters": {...}} answered with [{"generated_text": ...}].
        var version = new ModelVersionInfo
        {
            ModelName = "live",
            Version = 1,
            Task = ModelTasks.TextGeneration,
            Signature = new ModelSignature([new Column("inputs", SqlType.String)], [new Column("generated_text", SqlType.String)]),
            Options = new Dictionary<string, string> { ["provider"] = "sagemaker", ["sagemaker.input_format"] = "JSON", ["sagemaker.params.parameters"] = """{"max_new_tokens": 16}""" },
        };
        await using var invoker = new SageMakerProvider().CreateInvoker(version, Connection("sagemaker", Env("RUNNEL_LIVE_SAGEMAKER_ENDPOINT"), AwsSecrets()));
        var result = (await invoker.PredictAsync([["The capital of France is"]]))[0];
        Assert.Null(result.Error);
        Assert.False(string.IsNullOrWhiteSpace((string)result.Values![0]!));
    }

    [LiveFact("RUNNEL_LIVE_GOOGLEAI_API_KEY")]
    public Task GoogleAI_Gemini() => AssertPositiveAsync(new GoogleAIProvider(), Chat("googleai", ("googleai.params.temperature", "0")),
        Connection("googleai", EnvOr("RUNNEL_LIVE_GOOGLEAI_ENDPOINT") ?? "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent", ("api-key", Env("RUNNEL_LIVE_GOOGLEAI_API_KEY"))));

    [LiveFact("RUNNEL_LIVE_VERTEXAI_SERVICE_KEY_FILE", "RUNNEL_LIVE_VERTEXAI_ENDPOINT")]
    public async Task VertexAI_Gemini() => await AssertPositiveAsync(new VertexAIProvider(), Chat("vertexai", ("vertexai.params.temperature", "0")),
        Connection("vertexai", Env("RUNNEL_LIVE_VERTEXAI_ENDPOINT"), ("service-key", await File.ReadAllTextAsync(Env("RUNNEL_LIVE_VERTEXAI_SERVICE_KEY_FILE")))));

    [LiveFact("RUNNEL_LIVE_ANTHROPIC_API_KEY")]
    public Task Anthropic_Messages() => AssertPositiveAsync(new AnthropicProvider(), Chat("anthropic", ("anthropic.params.temperature", "0")),
        Connection("anthropic", "https://api.anthropic.com/v1/messages", ("api-key", Env("RUNNEL_LIVE_ANTHROPIC_API_KEY"))));
}
