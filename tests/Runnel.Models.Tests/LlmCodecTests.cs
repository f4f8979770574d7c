using System.Text.Json.Nodes;
using Runnel.Core.Errors;
using Runnel.Models.Formats;
using Runnel.TestSupport;

namespace Runnel.Models.Tests;

/// <summary>The LLM formats of SQL-SURFACE §4 in both directions. Where a recording exists (shared/fixtures/providers)
/// the codec must build the recorded request from the same input and params and read the recorded answer; COHERE-CHAT,
/// MISTRAL-CHAT and AI-21-COMPLETE answers are not recorded publicly and are built from the Bedrock user guide's
/// response shapes.</summary>
public sealed class LlmCodecTests
{
    private static JsonNode Interaction(string provider, string file, string side) =>
        LoopbackServer.Fixture(provider, file)["interactions"]![0]![side]!;

    private static JsonNode RecordedBody(JsonNode side) => JsonNode.Parse(side["body_raw"]!.GetValue<string>())!;

    private static LlmCodec Codec(string name) => LlmCodec.Find(name) ?? throw new InvalidOperationException(name);

    [Theory]
    [InlineData("openllmetry_invoke_cohere.command-text-v14.json", "COHERE-GENERATE", "max_tokens=200,temperature=0.5,top_p=0.5")]
    [InlineData("openllmetry_invoke_meta.llama3-70b-instruct.json", "BEDROCK-LLAMA", "max_tokens=128,temperature=0.1,top_p=0.9")]
    public void RecordedBedrockExchanges_AreBuiltAndRead(string file, string format, string paramList)
    {
        var request = RecordedBody(Interaction("aws_bedrock", file, "request"));
        var answer = RecordedBody(Interaction("aws_bedrock", file, "response"));
        var parameters = paramList.Split(',').Select(p => p.Split('=')).Select(p => (p[0], p[1])).ToList();
        var codec = Codec(format);
        codec.CheckParams(parameters);

        var body = codec.Request([request["prompt"]!.GetValue<string>()], null, parameters);

        Assert.True(JsonNode.DeepEquals(request, body), body.ToJsonString());
        var text = Assert.Single(codec.Read(answer, 1)).Values![0] as string;
        Assert.False(string.IsNullOrEmpty(text));
    }

    [Fact]
    public void AnthropicCompletions_WrapsThePromptInHumanAndAssistantTurns_AndReadsTheRecordedCompletion()
    {
        var codec = Codec("ANTHROPIC-COMPLETIONS");
        var body = codec.Request(["Tell me a joke"], "Be brief.", [("max_tokens", "200"), ("temperature", "0.5"), ("stop", "\n\nHuman:")]);
        Assert.Equal("\n\nHuman: Be brief.\n\nTell me a joke\n\nAssistant:", body["prompt"]!.GetValue<string>());
        Assert.Equal(200, body["max_tokens_to_sample"]!.GetValue<long>());
        Assert.Equal("\n\nHuman:", body["stop_sequences"]![0]!.GetValue<string>());
        var answer = RecordedBody(Interaction("aws_bedrock", "openllmetry_invoke_anthropic.claude-v2_text_completion.json", "response"));
        Assert.StartsWith(" Here's a silly joke", (string)codec.Read(answer, 1)[0].Values![0]!, StringComparison.Ordinal);
    }

    [Fact]
    public void CohereEmbed_ReadsTheV1ListAndTheV2ByTypeObject()
    {
        var codec = Codec("COHERE-EMBED");
        Assert.Equal(96, codec.MaxInputs);
        var body = codec.Request(["a", "b"], null, [("input_type", "search_query")]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"texts": ["a", "b"], "input_type": "search_query"}"""), body));
        var v2 = Interaction("cohere", "openllmetry_cohere_api_v2_embed.json", "response");
        var answer = v2["body_json"] ?? RecordedBody(v2);
        var texts = answer["texts"]!.AsArray().Count;
        var outputs = codec.Read(answer, texts);
        Assert.All(outputs, o => Assert.NotEmpty((object?[])o.Values![0]!));
        var v1 = (object?[])codec.Read(JsonNode.Parse("""{"embeddings": [[0.25, 0.5]], "id": "x"}""")!, 1)[0].Values![0]!;
        Assert.Equal([0.25f, 0.5f], v1);
    }

    [Fact]
    public void ChatFormats_PutTheSystemPromptInTheirSlot()
    {
        var cohere = Codec("COHERE-CHAT").Request(["hi"], "Be brief.", [("top_k", "5")]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"message": "hi", "preamble": "Be brief.", "k": 5}"""), cohere));
        Assert.Equal("hello", Codec("COHERE-CHAT").Read(JsonNode.Parse("""{"text": "hello", "finish_reason": "COMPLETE"}""")!, 1)[0].Values![0]);
        var mistral = Codec("MISTRAL-CHAT").Request(["hi"], "Be brief.", [("max_tokens", "50")]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}], "max_tokens": 50}"""), mistral));
        Assert.Equal("hello", Codec("MISTRAL-CHAT").Read(JsonNode.Parse("""{"choices": [{"index": 0, "message": {"role": "assistant", "content": "hello"}, "stop_reason": "stop"}]}""")!, 1)[0].Values![0]);
        var titan = Codec("AMAZON-TITAN-TEXT").Request(["hi"], "Be brief.", [("max_tokens", "50"), ("stop", "User:")]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"inputText": "Be brief.\n\nhi", "textGenerationConfig": {"maxTokenCount": 50, "stopSequences": ["User:"]}}"""), titan));
        Assert.Equal("ok", Codec("AI-21-COMPLETE").Read(JsonNode.Parse("""{"id": 1, "completions": [{"data": {"text": "ok"}, "finishReason": {"reason": "endoftext"}}]}""")!, 1)[0].Values![0]);
    }

    [Theory]
    [InlineData("BEDROCK-LLAMA", "top_k")]
    [InlineData("BEDROCK-LLAMA", "stop")]
    [InlineData("AI-21-COMPLETE", "top_k")]
    [InlineData("AMAZON-TITAN-EMBED", "temperature")]
    public void AParamTheFormatDoesNotTake_IsAnErrorNamingIt(string format, string param)
    {
        var e = Assert.Throws<OptionException>(() => Codec(format).CheckParams([(param, "1")]));
        Assert.Contains($"Parameter '{param}' is not supported by the {format} format", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAnswerWithoutTheText_FailsTheRow()
    {
        var error = Codec("MISTRAL-COMPLETIONS").Read(JsonNode.Parse("""{"outputs": []}""")!, 1)[0].Error!;
        Assert.Contains("no text for input 0 in the MISTRAL-COMPLETIONS format", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsRetryable);
    }
}
