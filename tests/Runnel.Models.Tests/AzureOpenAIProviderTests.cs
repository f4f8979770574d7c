using System.Text.Json.Nodes;
using Runnel.Core.Options;
using Runnel.Core.Types;
using Runnel.Models.Abstractions;
using Runnel.Models.Providers.AzureOpenAI;
using Runnel.TestSupport;

namespace Runnel.Models.Tests;

/// <summary>The azureopenai provider against a loopback server answering with Azure OpenAI recordings
/// (shared/fixtures/providers/azure_openai). The prompt-filter recording wraps a 400 body in a 200; as the fixtures'
/// PROVENANCE.md says, real Azure answers HTTP 400 for it, so the fake does.</summary>
public sealed class AzureOpenAIProviderTests
{
    private const string Key = "azure-key-0f3e";

    private static JsonNode Interaction(string file, int i = 0) =>
        JsonNode.Parse(LoopbackServer.Fixture("azure_openai", file)["interactions"]![i]!["response"]!["body_raw"]!.GetValue<string>())!;

    private static ModelVersionInfo Version(string task, SqlType output, params (string, string)[] options) => new()
    {
        ModelName = "m",
        Version = 1,
        Task = task,
        Signature = new ModelSignature([new Column("text", SqlType.String)], [new Column("out", output)]),
        Options = options.Append(("provider", "azureopenai")).ToDictionary(o => o.Item1, o => o.Item2),
    };

    private static ConnectionInfo Connection(string url) =>
        new() { Name = "c", Type = "azureopenai", Endpoint = url, Secrets = new Dictionary<string, SecretValue> { ["api-key"] = new(Key) } };

    private static async Task<(ModelOutput Output, RecordedRequest Request)> CallAsync(JsonNode answer, int status, string path, ModelVersionInfo version)
    {
        await using var server = await LoopbackServer.StartAsync(r => r.Headers.GetValueOrDefault("api-key") == Key
            ? (status, answer)
            : (401, new JsonObject { ["error"] = new JsonObject { ["code"] = "401", ["message"] = "Access denied due to invalid subscription key" } }));
        await using var invoker = new AzureOpenAIProvider().CreateInvoker(version, Connection(server.BaseUrl + path));
        var output = (await invoker.PredictAsync([["Tell me a joke about opentelemetry"]]))[0];
        return (output, Assert.Single(server.Requests));
    }

    private const string ChatPath = "/openai/deployments/openllmetry-testing/chat/completions?api-version=2024-02-01";

    [Fact]
    public async Task Chat_UsesTheDeploymentUrlAndApiKeyHeader_WithoutAModelInTheBody()
    {
        var (output, request) = await CallAsync(Interaction("openllmetry_azure_chat_completions.json"), 200, ChatPath,
            Version(ModelTasks.TextGeneration, SqlType.String, ("azureopenai.system_prompt", "Be brief.")));
        Assert.Null(output.Error);
        Assert.StartsWith("Why did", (string)output.Values![0]!, StringComparison.Ordinal);
        Assert.Equal(ChatPath, request.PathAndQuery);
        Assert.False(request.Headers.ContainsKey("authorization"));
        Assert.Null(request.Body!["model"]);
        Assert.Equal("Be brief.", request.Body["messages"]![0]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task FilteredCompletion_IsAClassifiedError()
    {
        var (output, _) = await CallAsync(Interaction("openllmetry_azure_chat_completions_content_filter_completion.json"), 200, ChatPath,
            Version(ModelTasks.TextGeneration, SqlType.String));
        Assert.Contains("content_filter", output.Error!.Message, StringComparison.Ordinal);
        Assert.False(output.Error.IsRetryable);
    }

    [Fact]
    public async Task FilteredPrompt_Http400_IsAClassifiedNonRetryableError()
    {
        var (output, _) = await CallAsync(Interaction("openllmetry_azure_chat_completions_content_filter_prompt.json"), 400, ChatPath,
            Version(ModelTasks.TextGeneration, SqlType.String));
        Assert.Equal(400, output.Error!.Status);
        Assert.False(output.Error.IsRetryable);
        Assert.Contains("content filter", output.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embeddings_Base64Answer_IsDecoded()
    {
        var (output, request) = await CallAsync(Interaction("openllmetry_azure_embeddings_200_and_401.json"), 200,
            "/openai/deployments/test-deployment/embeddings?api-version=2023-07-01-preview",
            Version(ModelTasks.Embedding, SqlType.Array(SqlType.Float), ("azureopenai.input_format", "AZURE-EMBED"), ("azureopenai.params.encoding_format", "base64")));
        Assert.Null(output.Error);
        var vector = (object?[])output.Values![0]!;
        Assert.Equal(3072, vector.Length);
        Assert.Equal(0.015223808f, (float)vector[0]!);
        Assert.Equal("base64", request.Body!["encoding_format"]!.GetValue<string>());
    }

    [Fact]
    public async Task WrongKey_Is401()
    {
        await using var server = await LoopbackServer.StartAsync(_ => (401, Interaction("openllmetry_azure_embeddings_200_and_401.json", 2)));
        var version = Version(ModelTasks.TextGeneration, SqlType.String);
        await using var invoker = new AzureOpenAIProvider().CreateInvoker(version, Connection(server.BaseUrl + ChatPath));
        var error = (await invoker.PredictAsync([["x"]]))[0].Error!;
        Assert.Equal(401, error.Status);
        Assert.Contains("Access denied", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, error.Message, StringComparison.Ordinal);
    }

    /// <summary>An Entra ID credential as Azure.Identity's would answer: numbered tokens with a set lifetime, or a
    /// failure like DefaultAzureCredential's when no identity is configured.</summary>
    private sealed class FakeEntraCredential(TimeSpan lifetime, bool unavailable = false) : Azure.Core.TokenCredential
    {
        public List<string[]> Requests { get; } = [];

        public override Azure.Core.AccessToken GetToken(Azure.Core.TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        public override ValueTask<Azure.Core.AccessToken> GetTokenAsync(Azure.Core.TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            if (unavailable) throw new Azure.Identity.CredentialUnavailableException("DefaultAzureCredential failed to retrieve a token from the included credentials.");
            lock (Requests)
            {
                Requests.Add(requestContext.Scopes);
                return ValueTask.FromResult(new Azure.Core.AccessToken($"entra-{Requests.Count}", DateTimeOffset.UtcNow + lifetime));
            }
        }
    }

    private static async Task<(List<ModelOutput> Outputs, LoopbackServer Server)> CallKeylessAsync(FakeEntraCredential credential, int calls)
    {
        var answer = Interaction("openllmetry_azure_chat_completions.json");
        var server = await LoopbackServer.StartAsync(r => r.Headers.GetValueOrDefault("authorization", "").StartsWith("Bearer entra-", StringComparison.Ordinal)
            ? (200, answer)
            : (401, new JsonObject { ["error"] = new JsonObject { ["code"] = "PermissionDenied", ["message"] = "Principal does not have access" } }));
        var keyless = new ConnectionInfo { Name = "entra", Type = "azureopenai", Endpoint = server.BaseUrl + ChatPath };
        await using var invoker = new AzureOpenAIProvider(credential).CreateInvoker(Version(ModelTasks.TextGeneration, SqlType.String), keyless);
        var outputs = new List<ModelOutput>();
        for (var i = 0; i < calls; i++) outputs.AddRange(await invoker.PredictAsync([["x"]]));
        return (outputs, server);
    }

    [Fact]
    public async Task WithoutAnApiKey_AnEntraIdTokenIsSent_AndKeptUntilNearExpiry()
    {
        var credential = new FakeEntraCredential(TimeSpan.FromHours(1));
        var (outputs, server) = await CallKeylessAsync(credential, 3);
        await using (server)
        {
            Assert.All(outputs, o => Assert.Null(o.Error));
            Assert.Equal(["Bearer entra-1", "Bearer entra-1", "Bearer entra-1"], server.Requests.Select(r => r.Headers["authorization"]));
            Assert.All(server.Requests, r => Assert.False(r.Headers.ContainsKey("api-key")));
            Assert.Equal([AzureOpenAIProvider.Scope], Assert.Single(credential.Requests));
        }
        // A token within five minutes of expiry is replaced before the next call.
        var shortLived = new FakeEntraCredential(TimeSpan.FromMinutes(4));
        var (_, again) = await CallKeylessAsync(shortLived, 2);
        await using (again) Assert.Equal(["Bearer entra-1", "Bearer entra-2"], again.Requests.Select(r => r.Headers["authorization"]));
    }

    [Fact]
    public async Task WithoutAnApiKeyOrAnIdentity_TheErrorSaysWhy()
    {
        var credential = new FakeEntraCredential(TimeSpan.FromHours(1), unavailable: true);
        var e = await Assert.ThrowsAsync<ModelInvocationException>(() => CallKeylessAsync(credential, 1));
        Assert.Contains("connection 'entra' has no api-key and Microsoft Entra ID gave no token", e.Message, StringComparison.Ordinal);
        Assert.False(e.IsRetryable);
    }
}
