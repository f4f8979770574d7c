using System.Text.Json.Nodes;
using Runnel.Core.Options;
using Runnel.Core.Types;
using Runnel.Models.Abstractions;
using Runnel.Models.Providers.Bedrock;
using Runnel.TestSupport;

namespace Runnel.Models.Tests;

/// <summary>The bedrock provider against a loopback server that checks each request's SigV4 signature with an
/// independent implementation (<see cref="SigV4Verifier"/>) and answers with the Bedrock recordings in
/// shared/fixtures/providers/aws_bedrock.</summary>
public sealed class BedrockProviderTests
{
    private const string Access = "AKIDEXAMPLE";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    private static JsonNode Recorded(string file, out JsonNode request)
    {
        var interaction = LoopbackServer.Fixture("aws_bedrock", file)["interactions"]![0]!;
        request = JsonNode.Parse(interaction["request"]!["body_raw"]!.GetValue<string>())!;
        return interaction["response"]!["body_json"]!;
    }

    private static ModelVersionInfo Version(SqlType output, params (string, string)[] options) => new()
    {
        ModelName = "m",
        Version = 1,
        Task = output.Kind == TypeKind.Array ? ModelTasks.Embedding : ModelTasks.TextGeneration,
        Signature = new ModelSignature([new Column("text", SqlType.String)], [new Column("out", output)]),
        Options = options.Append(("provider", "bedrock")).ToDictionary(o => o.Item1, o => o.Item2),
    };

    private static async Task<(ModelOutput Output, RecordedRequest Request)> CallAsync(string modelId, JsonNode answer, ModelVersionInfo version, string input,
        string? sessionToken = null, int status = 200)
    {
        await using var server = await LoopbackServer.StartAsync(r => SigV4Verifier.Check(r, Secret, "bedrock") is { } problem
            ? (403, new JsonObject { ["message"] = "The request signature we calculated does not match: " + problem })
            : (status, answer));
        var secrets = new Dictionary<string, SecretValue> { ["aws-access-key"] = new(Access), ["aws-secret-key"] = new(Secret) };
        if (sessionToken is not null) secrets["aws-session-token"] = new(sessionToken);
        var connection = new ConnectionInfo { Name = "b", Type = "bedrock", Endpoint = $"{server.BaseUrl}/model/{modelId}/invoke", Secrets = secrets };
        new BedrockProvider().Validate(version);
        await using var invoker = new BedrockProvider().CreateInvoker(version, connection);
        var output = (await invoker.PredictAsync([[input]]))[0];
        var request = Assert.Single(server.Requests);
        Assert.Null(SigV4Verifier.Check(request, Secret, "bedrock"));
        return (output, request);
    }

    [Fact]
    public async Task TitanEmbed_IsInferredFromTheModelId_SignedAndDecoded()
    {
        var answer = Recorded("ddtrace_invoke_amazon.titan-embed.json", out var recordedRequest);
        var (output, request) = await CallAsync("amazon.titan-embed-text-v1", answer, Version(SqlType.Array(SqlType.Float)), "Hello World!");
        Assert.Null(output.Error);
        Assert.Equal(0.45703125f, (float)((object?[])output.Values![0]!)[0]!);
        Assert.Equal(recordedRequest.ToJsonString(), request.Body!.ToJsonString());
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", request.Headers["authorization"], StringComparison.Ordinal);
        // The verifier is a real check: another key, or a body changed after signing, does not verify.
        Assert.StartsWith("signature mismatch", SigV4Verifier.Check(request, "another-secret", "bedrock"), StringComparison.Ordinal);
        Assert.NotNull(SigV4Verifier.Check(request with { RawBody = [.. request.RawBody, (byte)' '] }, Secret, "bedrock"));
    }

    [Fact]
    public async Task TitanText_SendsTheRecordedRequestShape()
    {
        var answer = Recorded("ddtrace_invoke_amazon.titan-text.json", out var recordedRequest);
        var (output, request) = await CallAsync("amazon.titan-tg1-large", answer,
            Version(SqlType.String, ("bedrock.params.max_tokens", "50"), ("bedrock.params.temperature", "0"), ("bedrock.params.top_p", "0.9")),
            "Command: can you explain what Datadog is to someone not in the tech industry?");
        Assert.StartsWith("\nDatadog is a monitoring", (string)output.Values![0]!, StringComparison.Ordinal);
        Assert.Equal(recordedRequest["inputText"]!.GetValue<string>(), request.Body!["inputText"]!.GetValue<string>());
        Assert.Equal(50, request.Body["textGenerationConfig"]!["maxTokenCount"]!.GetValue<long>());
        Assert.Equal(0.9, request.Body["textGenerationConfig"]!["topP"]!.GetValue<double>());
    }

    [Fact]
    public async Task ClaudeMessages_WithASessionToken()
    {
        var answer = Recorded("openllmetry_invoke_anthropic.claude-3_messages.json", out _);
        var (output, request) = await CallAsync("anthropic.claude-3-sonnet-20240229-v1", answer,
            Version(SqlType.String, ("bedrock.params.max_tokens", "200"), ("bedrock.params.temperature", "0.5")), "Tell me a joke about opentelemetry", sessionToken: "session-token-xyz");
        Assert.Equal("Why did the distributed trace cross the road? To get to the other service!", output.Values![0]);
        Assert.Equal("bedrock-2023-05-31", request.Body!["anthropic_version"]!.GetValue<string>());
        Assert.Equal("session-token-xyz", request.Headers["x-amz-security-token"]);
    }

    [Fact]
    public async Task Llama_AndCohere_ReadTheirAnswers()
    {
        var llama = Recorded("openllmetry_invoke_meta.llama3-70b-instruct.json", out _);
        var (l, lr) = await CallAsync("meta.llama3-70b-instruct-v1", llama, Version(SqlType.String, ("bedrock.params.max_tokens", "128")), "Tell me a joke about opentelemetry");
        Assert.Contains("opentelemetry span", (string)l.Values![0]!, StringComparison.Ordinal);
        Assert.Equal(128, lr.Body!["max_gen_len"]!.GetValue<long>());
        var cohere = Recorded("openllmetry_invoke_cohere.command-text-v14.json", out _);
        var (c, cr) = await CallAsync("cohere.command-text-v14", cohere, Version(SqlType.String, ("bedrock.params.top_p", "0.5")), "Tell me a joke about opentelemetry");
        Assert.Contains("open-source project", (string)c.Values![0]!, StringComparison.Ordinal);
        Assert.Equal(0.5, cr.Body!["p"]!.GetValue<double>());
    }

    [Fact]
    public async Task RecordedExpiredToken403_IsNotRetryable()
    {
        var interaction = LoopbackServer.Fixture("aws_bedrock", "ddtrace_invoke_meta.llama_error.json")["interactions"]![0]!;
        var (output, _) = await CallAsync("meta.llama2-13b-chat-v1", interaction["response"]!["body_json"]!, Version(SqlType.String), "x", status: 403);
        Assert.Equal(403, output.Error!.Status);
        Assert.False(output.Error.IsRetryable);
        Assert.Contains("security token included in the request is expired", output.Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, output.Error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("amazon.titan-embed-text-v2:0", "AMAZON-TITAN-EMBED")]
    [InlineData("amazon.titan-text-express-v1", "AMAZON-TITAN-TEXT")]
    [InlineData("anthropic.claude-3-haiku-20240307-v1%3A0", "ANTHROPIC-MESSAGES")]
    [InlineData("meta.llama3-8b-instruct-v1:0", "BEDROCK-LLAMA")]
    [InlineData("cohere.command-r-v1:0", "COHERE-GENERATE")]
    [InlineData("cohere.embed-english-v3", "COHERE-EMBED")]
    [InlineData("mistral.mistral-7b-instruct-v0:2", "MISTRAL-COMPLETIONS")]
    [InlineData("ai21.j2-ultra-v1", "AI-21-COMPLETE")]
    [InlineData("some.other-model", "AMAZON-TITAN-TEXT")]
    public void InferFormat_FromTheModelId(string modelId, string format) => Assert.Equal(format, BedrockProvider.InferFormat(modelId));

    [Fact]
    public void Region_IsReadFromTheHost() =>
        Assert.Equal("eu-central-1", AwsRequests.Region(new Uri("https://bedrock-runtime.eu-central-1.amazonaws.com/model/x/invoke")));

    [Fact]
    public void LlamaHasNoTopK()
    {
        var e = Assert.Throws<Core.Errors.OptionException>(() => new BedrockProvider().Validate(Version(SqlType.String, ("bedrock.input_format", "BEDROCK-LLAMA"), ("bedrock.params.top_k", "5"))));
        Assert.Contains("'top_k'", e.Message, StringComparison.Ordinal);
    }

    /// <summary>An answer of each format saying "ok" (or the vector [0.5]), in the shape of the Bedrock user guide's
    /// response reference; the recorded exchanges are replayed by the tests above and in LlmCodecTests.</summary>
    private static JsonNode AnswerOf(string format) => JsonNode.Parse(format switch
    {
        "AMAZON-TITAN-TEXT" => """{"inputTextTokenCount": 3, "results": [{"tokenCount": 1, "outputText": "ok", "completionReason": "FINISH"}]}""",
        "AMAZON-TITAN-EMBED" => """{"embedding": [0.5], "inputTextTokenCount": 2}""",
        "ANTHROPIC-MESSAGES" => """{"id": "msg_1", "type": "message", "role": "assistant", "content": [{"type": "text", "text": "ok"}], "stop_reason": "end_turn"}""",
        "ANTHROPIC-COMPLETIONS" => """{"type": "completion", "completion": "ok", "stop_reason": "stop_sequence"}""",
        "BEDROCK-LLAMA" => """{"generation": "ok", "prompt_token_count": 3, "generation_token_count": 1, "stop_reason": "stop"}""",
        "AI-21-COMPLETE" => """{"id": 1, "completions": [{"data": {"text": "ok"}, "finishReason": {"reason": "endoftext"}}]}""",
        "COHERE-GENERATE" => """{"id": "g", "generations": [{"id": "1", "text": "ok", "finish_reason": "COMPLETE"}]}""",
        "COHERE-CHAT" => """{"response_id": "r", "text": "ok", "finish_reason": "COMPLETE"}""",
        "COHERE-EMBED" => """{"id": "e", "embeddings": [[0.5]], "texts": ["hi"], "response_type": "embeddings_floats"}""",
        "MISTRAL-COMPLETIONS" => """{"outputs": [{"text": "ok", "stop_reason": "stop"}]}""",
        "MISTRAL-CHAT" => """{"choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "stop_reason": "stop"}]}""",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format),
    })!;

    public static TheoryData<string> LlmFormats => [.. Runnel.Models.Formats.LlmCodec.Names];

    [Theory]
    [MemberData(nameof(LlmFormats))]
    public async Task EveryLlmFormat_TravelsSignedBothWays(string format)
    {
        var codec = Runnel.Models.Formats.LlmCodec.Find(format)!;
        var version = Version(codec.IsEmbedding ? SqlType.Array(SqlType.Float) : SqlType.String, ("bedrock.input_format", format), ("bedrock.system_prompt", "Be brief."));
        var (output, request) = await CallAsync("some.model-v1", AnswerOf(format), version, "hi");
        Assert.Null(output.Error);
        Assert.Equal(codec.IsEmbedding ? new object?[] { 0.5f } : "ok", output.Values![0]);
        var expected = codec.Request(["hi"], codec.IsEmbedding ? null : "Be brief.", []);
        if (format == "ANTHROPIC-MESSAGES") expected["anthropic_version"] = "bedrock-2023-05-31";
        Assert.True(JsonNode.DeepEquals(expected, request.Body), request.Body!.ToJsonString());
    }
}
