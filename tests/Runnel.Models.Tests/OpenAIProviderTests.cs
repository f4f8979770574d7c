using Runnel.Core.Options;
using Runnel.Core.Types;
using Runnel.Models.Abstractions;
using Runnel.Models.Providers.OpenAI;
using Runnel.TestSupport;

namespace Runnel.Models.Tests;

/// <summary>The openai provider against a loopback server answering with recorded OpenAI bodies.</summary>
public sealed class OpenAIProviderTests : IAsyncLifetime
{
    private const string Key = "sk-test-openai-provider-7c1d";
    private FakeOpenAIServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeOpenAIServer.StartAsync(Key);
    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static ModelVersionInfo Version(string task, SqlType output, params (string, string)[] options) => new()
    {
        ModelName = "m",
        Version = 1,
        Task = task,
        Signature = new ModelSignature([new Column("text", SqlType.String)], [new Column("out", output)]),
        Options = options.Append(("provider", "openai")).ToDictionary(o => o.Item1, o => o.Item2),
    };

    private ConnectionInfo Connection(string url, string key = Key) =>
        new() { Name = "c", Type = "openai", Endpoint = url, Secrets = new Dictionary<string, SecretValue> { ["api-key"] = new(key) } };

    [Fact]
    public async Task Chat_SendsSystemPromptAndParams_AndReadsTheRecordedAnswer()
    {
        var v = Version(ModelTasks.Classification, SqlType.String, ("openai.system_prompt", "Answer POSITIVE or NEGATIVE."),
            ("openai.params.temperature", "0"), ("openai.params.stop", "\n,END"), ("openai.model_version", "gpt-4o-mini"));
        new OpenAIProvider().Validate(v);
        await using var invoker = new OpenAIProvider().CreateInvoker(v, Connection(_server.ChatUrl));
        var outputs = await invoker.PredictAsync([["I love it"]]);
        Assert.Equal("Hello! How can I assist you today?", outputs[0].Values![0]);
        var request = Assert.Single(_server.Requests);
        Assert.Equal("gpt-4o-mini", request["model"]!.GetValue<string>());
        Assert.Equal("system", request["messages"]![0]!["role"]!.GetValue<string>());
        Assert.Equal("Answer POSITIVE or NEGATIVE.", request["messages"]![0]!["content"]!.GetValue<string>());
        Assert.Equal("I love it", request["messages"]![1]!["content"]!.GetValue<string>());
        Assert.Equal(0, request["temperature"]!.GetValue<long>());
        Assert.Equal(2, request["stop"]!.AsArray().Count);
        Assert.Equal("Bearer " + Key, Assert.Single(_server.AuthorizationHeaders));
    }

    [Fact]
    public async Task Embeddings_Base64_AreDecodedAsLittleEndianFloats_InOneBatch()
    {
        var v = Version(ModelTasks.Embedding, SqlType.Array(SqlType.Float), ("openai.input_format", "OPENAI-EMBED"),
            ("openai.params.encoding_format", "base64"), ("openai.params.dimensions", "456"), ("openai.model_version", "text-embedding-3-small"));
        new OpenAIProvider().Validate(v);
        await using var invoker = new OpenAIProvider().CreateInvoker(v, Connection(_server.EmbeddingsUrl));
        var outputs = await invoker.PredictAsync([["Hello, world!"], ["This is a test."], ["Goodbye!"]]);
        Assert.All(outputs, o => Assert.Equal(456, ((object?[])o.Values![0]!).Length));
        // The recorded base64 "vpbzvLTo..." starts with the float -0.0297...
        Assert.Equal(-0.0297, (float)((object?[])outputs[0].Values![0]!)[0]!, 3);
        var request = Assert.Single(_server.Requests);
        Assert.Equal(3, request["input"]!.AsArray().Count);
        Assert.Equal(456, request["dimensions"]!.GetValue<long>());
    }

    [Fact]
    public async Task Embeddings_FloatAnswer_IsRead()
    {
        var v = Version(ModelTasks.Embedding, SqlType.Array(SqlType.Float), ("openai.input_format", "OPENAI-EMBED"));
        await using var invoker = new OpenAIProvider().CreateInvoker(v, Connection(_server.EmbeddingsUrl));
        var outputs = await invoker.PredictAsync([["hello world"]]);
        Assert.Equal(-0.014907048f, (float)((object?[])outputs[0].Values![0]!)[0]!);
    }

    [Fact]
    public async Task WrongKey_GivesTheRecorded401_NotRetryable_WithoutTheKey()
    {
        var v = Version(ModelTasks.Classification, SqlType.String);
        await using var invoker = new OpenAIProvider().CreateInvoker(v, Connection(_server.ChatUrl, "sk-wrong-key-5be2"));
        var error = (await invoker.PredictAsync([["x"]]))[0].Error!;
        Assert.Equal(401, error.Status);
        Assert.False(error.IsRetryable);
        Assert.Contains("invalid_api_key", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-wrong-key-5be2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadRequest_GivesTheRecorded400()
    {
        var v = Version(ModelTasks.Classification, SqlType.String, ("openai.model_version", "bad-model"));
        await using var invoker = new OpenAIProvider().CreateInvoker(v, Connection(_server.ChatUrl));
        var error = (await invoker.PredictAsync([["x"]]))[0].Error!;
        Assert.Equal(400, error.Status);
        Assert.Contains("invalid_function_parameters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnsupportedParam_IsAnErrorNamingIt()
    {
        var e = Assert.Throws<Core.Errors.OptionException>(() => new OpenAIProvider().Validate(Version(ModelTasks.Classification, SqlType.String, ("openai.params.top_k", "5"))));
        Assert.Contains("'top_k'", e.Message, StringComparison.Ordinal);
    }
}
