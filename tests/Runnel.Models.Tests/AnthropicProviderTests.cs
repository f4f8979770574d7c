using System.Text.Json.Nodes;
using Runnel.Core.Options;
using Runnel.Core.Types;
using Runnel.Models.Abstractions;
using Runnel.Models.Providers.Anthropic;
using Runnel.TestSupport;

namespace Runnel.Models.Tests;

/// <summary>The anthropic provider against a loopback server. No direct Anthropic API recording exists in the
/// fixtures; the success body is Claude's Messages answer recorded through Bedrock
/// (aws_bedrock/openllmetry_invoke_anthropic.claude-3_messages.json: the same response shape), and the error body
/// follows the Messages API reference's error shape.</summary>
public sealed class AnthropicProviderTests
{
    private const string Key = "sk-ant-test-9d0c";

    private static ModelVersionInfo Version(params (string, string)[] options) => new()
    {
        ModelName = "m",
        Version = 1,
        Task = ModelTasks.TextGeneration,
        Signature = new ModelSignature([new Column("text", SqlType.String)], [new Column("out", SqlType.String)]),
        Options = options.Append(("provider", "anthropic")).ToDictionary(o => o.Item1, o => o.Item2),
    };

    private static async Task<(ModelOutput Output, RecordedRequest Request)> CallAsync(int status, JsonNode answer, ModelVersionInfo version)
    {
        await using var server = await LoopbackServer.StartAsync(r => r.Headers.GetValueOrDefault("x-api-key") == Key && r.Headers.ContainsKey("anthropic-version")
            ? (status, answer)
            : (401, new JsonObject { ["type"] = "error", ["error"] = new JsonObject { ["type"] = "authentication_error", ["message"] = "invalid x-api-key" } }));
        var connection = new ConnectionInfo { Name = "a", Type = "anthropic", Endpoint = server.BaseUrl + "/v1/messages", Secrets = new Dictionary<string, SecretValue> { ["api-key"] = new(Key) } };
        new AnthropicProvider().Validate(version);
        await using var invoker = new AnthropicProvider().CreateInvoker(version, connection);
        return ((await invoker.PredictAsync([["Tell me a joke about opentelemetry"]]))[0], Assert.Single(server.Requests));
    }

    [Fact]
    public async Task Messages_SendsModelSystemAndParams_AndReadsTheTextBlocks()
    {
        var recorded = LoopbackServer.Fixture("aws_bedrock", "openllmetry_invoke_anthropic.claude-3_messages.json")["interactions"]![0]!["response"]!["body_json"]!;
        var (output, request) = await CallAsync(200, recorded, Version(("anthropic.model_version", "claude-3-sonnet-20240229"),
            ("anthropic.system_prompt", "Be funny."), ("anthropic.params.max_tokens", "200"), ("anthropic.params.temperature", "0.5")));
        Assert.Equal("Why did the distributed trace cross the road? To get to the other service!", output.Values![0]);
        Assert.Equal("2023-06-01", request.Headers["anthropic-version"]);
        var body = request.Body!;
        Assert.Equal("claude-3-sonnet-20240229", body["model"]!.GetValue<string>());
        Assert.Equal("Be funny.", body["system"]!.GetValue<string>());
        Assert.Equal(200, body["max_tokens"]!.GetValue<long>());
        Assert.Equal(0.5, body["temperature"]!.GetValue<double>());
        Assert.Equal("user", body["messages"]![0]!["role"]!.GetValue<string>());
    }

    [Fact]
    public async Task Overloaded529_IsRetryable()
    {
        var error = new JsonObject { ["type"] = "error", ["error"] = new JsonObject { ["type"] = "overloaded_error", ["message"] = "Overloaded" } };
        var (output, _) = await CallAsync(529, error, Version());
        Assert.Equal(529, output.Error!.Status);
        Assert.True(output.Error.IsRetryable);
        Assert.Contains("overloaded_error", output.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnsupportedParam_IsAnErrorNamingIt()
    {
        var e = Assert.Throws<Core.Errors.OptionException>(() => new AnthropicProvider().Validate(Version(("anthropic.params.presence_penalty", "1"))));
        Assert.Contains("'presence_penalty'", e.Message, StringComparison.Ordinal);
    }
}
