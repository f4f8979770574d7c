using System.Text.Json.Nodes;
using Runnel.Core.Options;
using Runnel.Core.Types;
using Runnel.Models.Abstractions;
using Runnel.Models.Providers.GoogleAI;
using Runnel.TestSupport;

namespace Runnel.Models.Tests;

/// <summary>The googleai provider against a loopback server answering with Gemini recordings
/// (shared/fixtures/providers/google_gemini).</summary>
public sealed class GoogleAIProviderTests
{
    private const string Key = "gemini-key-51aa";

    private static ModelVersionInfo Version(string task, SqlType output, params (string, string)[] options) => new()
    {
        ModelName = "m",
        Version = 1,
        Task = task,
        Signature = new ModelSignature([new Column("text", SqlType.String)], [new Column("out", output)]),
        Options = options.Append(("provider", "googleai")).ToDictionary(o => o.Item1, o => o.Item2),
    };

    private static async Task<(ModelOutput Output, RecordedRequest Request)> CallAsync(string path, int status, JsonNode answer, ModelVersionInfo version, string input = "What is ai?")
    {
        await using var server = await LoopbackServer.StartAsync(r => r.Headers.GetValueOrDefault("x-goog-api-key") == Key
            ? (status, answer) : (400, LoopbackServer.Fixture("google_gemini", "firebase-testdata_googleai_unary-failure-api-key.json")));
        var connection = new ConnectionInfo { Name = "g", Type = "googleai", Endpoint = server.BaseUrl + path, Secrets = new Dictionary<string, SecretValue> { ["api-key"] = new(Key) } };
        new GoogleAIProvider().Validate(version);
        await using var invoker = new GoogleAIProvider().CreateInvoker(version, connection);
        var output = (await invoker.PredictAsync([[input]]))[0];
        return (output, Assert.Single(server.Requests));
    }

    private const string Generate = "/v1beta/models/gemini-2.5-flash:generateContent";

    [Fact]
    public async Task Generate_SendsSystemInstructionAndConfig_AndReadsTheText()
    {
        var (output, request) = await CallAsync(Generate, 200, LoopbackServer.Fixture("google_gemini", "firebase-testdata_googleai_unary-success-basic-reply-short.json"),
            Version(ModelTasks.TextGeneration, SqlType.String, ("googleai.system_prompt", "Answer briefly."), ("googleai.params.temperature", "0.2"), ("googleai.params.max_tokens", "64"), ("googleai.params.stop", "END,STOP")));
        Assert.StartsWith("Google's headquarters", (string)output.Values![0]!, StringComparison.Ordinal);
        var body = request.Body!;
        Assert.Equal("user", body["contents"]![0]!["role"]!.GetValue<string>());
        Assert.Equal("What is ai?", body["contents"]![0]!["parts"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("Answer briefly.", body["systemInstruction"]!["parts"]![0]!["text"]!.GetValue<string>());
        Assert.Equal(0.2, body["generationConfig"]!["temperature"]!.GetValue<double>());
        Assert.Equal(64, body["generationConfig"]!["maxOutputTokens"]!.GetValue<double>());
        Assert.Equal(2, body["generationConfig"]!["stopSequences"]!.AsArray().Count);
    }

    [Fact]
    public async Task SafetyStop_IsANonRetryableError()
    {
        var (output, _) = await CallAsync(Generate, 200, LoopbackServer.Fixture("google_gemini", "firebase-testdata_googleai_unary-failure-finish-reason-safety.json"),
            Version(ModelTasks.TextGeneration, SqlType.String));
        Assert.Contains("SAFETY", output.Error!.Message, StringComparison.Ordinal);
        Assert.False(output.Error.IsRetryable);
    }

    [Theory]
    [InlineData("firebase-testdata_googleai_unary-failure-unknown-model.json", 404, "NOT_FOUND")]
    [InlineData("firebase-testdata_googleai_unary-failure-generativelanguage-api-not-enabled.json", 403, "PERMISSION_DENIED")]
    public async Task RecordedErrors_CarryStatusAndMessage(string file, int status, string code)
    {
        var (output, _) = await CallAsync(Generate, status, LoopbackServer.Fixture("google_gemini", file), Version(ModelTasks.TextGeneration, SqlType.String));
        Assert.Equal(status, output.Error!.Status);
        Assert.Contains(code, output.Error.Message, StringComparison.Ordinal);
        Assert.False(output.Error.IsRetryable);
    }

    [Fact]
    public async Task BatchEmbed_SendsTheRecordedRequestShape_AndReadsValues()
    {
        var recording = LoopbackServer.Fixture("google_gemini", "llm-gemini_batchEmbedContents_single_gemini-embedding-001_dim768.json")["interactions"]![0]!;
        var (output, request) = await CallAsync("/v1beta/models/gemini-embedding-001:batchEmbedContents", 200, recording["response"]!["body_json"]!,
            Version(ModelTasks.Embedding, SqlType.Array(SqlType.Float)), "Some text goes here");
        var vector = (object?[])output.Values![0]!;
        Assert.Equal(768, vector.Length);
        Assert.Equal(-0.01530608f, (float)vector[0]!);
        var recorded = JsonNode.Parse(recording["request"]!["body_raw"]!.GetValue<string>())!;
        Assert.Equal(recorded["requests"]![0]!["model"]!.GetValue<string>(), request.Body!["requests"]![0]!["model"]!.GetValue<string>());
        Assert.Equal(recorded["requests"]![0]!["content"]!.ToJsonString(), request.Body["requests"]![0]!["content"]!.ToJsonString());
    }

    [Fact]
    public async Task SingleEmbed_ReadsEmbeddingValues()
    {
        // No public recording of single-text embedContent exists (fixtures PROVENANCE.md); this answer follows the API
        // reference's response shape {"embedding": {"values": [...]}}.
        var answer = new JsonObject { ["embedding"] = new JsonObject { ["values"] = new JsonArray(0.5, -0.25, 0.125) } };
        var (output, request) = await CallAsync("/v1beta/models/text-embedding-004:embedContent", 200, answer, Version(ModelTasks.Embedding, SqlType.Array(SqlType.Float)));
        Assert.Equal(new object?[] { 0.5f, -0.25f, 0.125f }, (object?[])output.Values![0]!);
        Assert.Equal("What is ai?", request.Body!["content"]!["parts"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public void UnsupportedParam_IsAnErrorNamingIt()
    {
        var e = Assert.Throws<Core.Errors.OptionException>(() => new GoogleAIProvider().Validate(Version(ModelTasks.TextGeneration, SqlType.String, ("googleai.params.frequency_penalty", "1"))));
        Assert.Contains("'frequency_penalty'", e.Message, StringComparison.Ordinal);
    }
}
