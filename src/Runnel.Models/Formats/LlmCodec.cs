using System.Text.Json.Nodes;
using Runnel.Core.Errors;
using Runnel.Models.Abstractions;

namespace Runnel.Models.Formats;

/// <summary>
/// The LLM wire formats that Bedrock and Anthropic models speak (SQL-SURFACE §4): a single STRING input becomes the
/// request body, the system prompt goes in the format's system slot (or before the input, separated by a blank line,
/// where the format has none), <c>params.*</c> map onto the format's fields, and the answer's first completion text
/// (or embedding vector) is the output. A param the format does not take is an <see cref="OptionException"/> naming
/// it. Request and answer shapes follow each model family's reference in the Amazon Bedrock user guide:
/// <list type="bullet">
/// <item><c>AMAZON-TITAN-TEXT</c>: <c>{"inputText", "textGenerationConfig": {temperature, topP, maxTokenCount,
/// stopSequences}}</c> → <c>results[0].outputText</c>;</item>
/// <item><c>AMAZON-TITAN-EMBED</c>: <c>{"inputText", dimensions, normalize}</c> → <c>embedding</c>;</item>
/// <item><c>ANTHROPIC-MESSAGES</c>: <c>{"messages": [{"role": "user"}], "system", max_tokens (default 1024),
/// temperature, top_p, top_k, stop_sequences}</c> → the text blocks of <c>content</c>;</item>
/// <item><c>ANTHROPIC-COMPLETIONS</c>: <c>{"prompt": "\n\nHuman: ..\n\nAssistant:", max_tokens_to_sample}</c> →
/// <c>completion</c>;</item>
/// <item><c>BEDROCK-LLAMA</c>: <c>{"prompt", temperature, top_p, max_gen_len}</c> (no top_k, no stop) →
/// <c>generation</c>;</item>
/// <item><c>AI-21-COMPLETE</c>: <c>{"prompt", temperature, topP, maxTokens, stopSequences}</c> (no top_k) →
/// <c>completions[0].data.text</c>;</item>
/// <item><c>COHERE-GENERATE</c>: <c>{"prompt", temperature, p, k, max_tokens, stop_sequences}</c> →
/// <c>generations[0].text</c>; <c>COHERE-CHAT</c>: <c>{"message", "preamble", ...}</c> → <c>text</c>;</item>
/// <item><c>COHERE-EMBED</c>: <c>{"texts": [..96], "input_type"}</c> → <c>embeddings[i]</c> (or
/// <c>embeddings.float[i]</c>);</item>
/// <item><c>MISTRAL-COMPLETIONS</c>: <c>{"prompt", temperature, top_p, top_k, max_tokens, stop}</c> →
/// <c>outputs[0].text</c>; <c>MISTRAL-CHAT</c>: <c>{"messages"}</c> → <c>choices[0].message.content</c>.</item>
/// </list>
/// </summary>
public sealed class LlmCodec
{
    private readonly Dictionary<string, string> _fields;
    private readonly Func<IReadOnlyList<string>, string?, JsonObject> _build;
    private readonly Func<JsonNode, int, JsonNode?> _read;

    private LlmCodec(string name, int maxInputs, Dictionary<string, string> fields, Func<IReadOnlyList<string>, string?, JsonObject> build, Func<JsonNode, int, JsonNode?> read)
    {
        Name = name;
        MaxInputs = maxInputs;
        _fields = new Dictionary<string, string>(fields, StringComparer.OrdinalIgnoreCase);
        _build = build;
        _read = read;
    }

    /// <summary>The format's name.</summary>
    public string Name { get; }

    /// <summary>True for the <c>*-EMBED</c> formats (ARRAY&lt;FLOAT&gt; output).</summary>
    public bool IsEmbedding => Name.EndsWith("-EMBED", StringComparison.Ordinal);

    /// <summary>Inputs one request carries (96 for COHERE-EMBED, else 1).</summary>
    public int MaxInputs { get; }

    /// <summary>The params the format takes.</summary>
    public IEnumerable<string> Params => _fields.Keys.Order(StringComparer.Ordinal);

    private static string Prompt(string input, string? system) => system is null ? input : system + "\n\n" + input;

    private static readonly Dictionary<string, string> Sampling = new() { ["temperature"] = "temperature", ["top_p"] = "top_p", ["top_k"] = "top_k", ["max_tokens"] = "max_tokens" };

    private static Dictionary<string, string> With(Dictionary<string, string> fields, params (string Param, string Field)[] more)
    {
        var d = new Dictionary<string, string>(fields);
        foreach (var (p, f) in more) d[p] = f;
        return d;
    }

    private static Dictionary<string, string> Without(Dictionary<string, string> fields, params string[] names) =>
        fields.Where(kv => !names.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);

    private static readonly LlmCodec[] All =
    [
        new("AMAZON-TITAN-TEXT", 1,
            new() { ["temperature"] = "textGenerationConfig.temperature", ["top_p"] = "textGenerationConfig.topP", ["max_tokens"] = "textGenerationConfig.maxTokenCount", ["stop"] = "textGenerationConfig.stopSequences" },
            (inputs, system) => new JsonObject { ["inputText"] = Prompt(inputs[0], system) },
            (answer, _) => answer["results"]?[0]?["outputText"]),
        new("AMAZON-TITAN-EMBED", 1,
            new() { ["dimensions"] = "dimensions", ["normalize"] = "normalize" },
            (inputs, _) => new JsonObject { ["inputText"] = inputs[0] },
            (answer, _) => answer["embedding"]),
        new("ANTHROPIC-MESSAGES", 1,
            With(Sampling, ("stop", "stop_sequences")),
            (inputs, system) =>
            {
                var body = new JsonObject { ["max_tokens"] = 1024, ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = inputs[0] }) };
                if (system is not null) body["system"] = system;
                return body;
            },
            (answer, _) => answer["content"] is JsonArray blocks
                ? JsonValue.Create(string.Concat(blocks.Where(b => b?["type"]?.GetValue<string>() == "text").Select(b => b!["text"]!.GetValue<string>())))
                : null),
        new("ANTHROPIC-COMPLETIONS", 1,
            With(Sampling, ("max_tokens", "max_tokens_to_sample"), ("stop", "stop_sequences")),
            (inputs, system) => new JsonObject { ["prompt"] = $"\n\nHuman: {Prompt(inputs[0], system)}\n\nAssistant:", ["max_tokens_to_sample"] = 1024 },
            (answer, _) => answer["completion"]),
        new("BEDROCK-LLAMA", 1,
            With(Without(Sampling, "top_k"), ("max_tokens", "max_gen_len")),
            (inputs, system) => new JsonObject { ["prompt"] = Prompt(inputs[0], system) },
            (answer, _) => answer["generation"]),
        new("AI-21-COMPLETE", 1,
            new() { ["temperature"] = "temperature", ["top_p"] = "topP", ["max_tokens"] = "maxTokens", ["stop"] = "stopSequences" },
            (inputs, system) => new JsonObject { ["prompt"] = Prompt(inputs[0], system) },
            (answer, _) => answer["completions"]?[0]?["data"]?["text"]),
        new("COHERE-GENERATE", 1,
            new() { ["temperature"] = "temperature", ["top_p"] = "p", ["top_k"] = "k", ["max_tokens"] = "max_tokens", ["stop"] = "stop_sequences" },
            (inputs, system) => new JsonObject { ["prompt"] = Prompt(inputs[0], system) },
            (answer, _) => answer["generations"]?[0]?["text"]),
        new("COHERE-CHAT", 1,
            new() { ["temperature"] = "temperature", ["top_p"] = "p", ["top_k"] = "k", ["max_tokens"] = "max_tokens", ["stop"] = "stop_sequences" },
            (inputs, system) =>
            {
                var body = new JsonObject { ["message"] = inputs[0] };
                if (system is not null) body["preamble"] = system;
                return body;
            },
            (answer, _) => answer["text"]),
        new("COHERE-EMBED", 96,
            new() { ["input_type"] = "input_type", ["truncate"] = "truncate" },
            (inputs, _) => new JsonObject { ["texts"] = new JsonArray(inputs.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()), ["input_type"] = "search_document" },
            (answer, i) => (answer["embeddings"] is JsonObject byType ? byType["float"] : answer["embeddings"])?[i]),
        new("MISTRAL-COMPLETIONS", 1,
            With(Sampling, ("stop", "stop")),
            (inputs, system) => new JsonObject { ["prompt"] = Prompt(inputs[0], system) },
            (answer, _) => answer["outputs"]?[0]?["text"]),
        new("MISTRAL-CHAT", 1,
            With(Without(Sampling, "top_k"), ("stop", "stop")),
            (inputs, system) =>
            {
                var messages = new JsonArray();
                if (system is not null) messages.Add(new JsonObject { ["role"] = "system", ["content"] = system });
                messages.Add(new JsonObject { ["role"] = "user", ["content"] = inputs[0] });
                return new JsonObject { ["messages"] = messages };
            },
            (answer, _) => answer["choices"]?[0]?["message"]?["content"]),
    ];

    /// <summary>Every format of this codec.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(c => c.Name)];

    /// <summary>The codec of <paramref name="format"/> (case-insensitive), or null.</summary>
    public static LlmCodec? Find(string format) => All.FirstOrDefault(c => c.Name.Equals(format.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>Throws <see cref="OptionException"/> naming the first param the format does not take.</summary>
    public void CheckParams(IEnumerable<(string Name, string Value)> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var (name, _) in parameters)
            if (!_fields.ContainsKey(name))
                throw new OptionException($"Parameter '{name}' is not supported by the {Name} format. Supported: {string.Join(", ", Params)}");
    }

    /// <summary>The request body for <paramref name="inputs"/> (at most <see cref="MaxInputs"/>) with the system prompt
    /// and params (checked by <see cref="CheckParams"/> first).</summary>
    public JsonObject Request(IReadOnlyList<string> inputs, string? system, IEnumerable<(string Name, string Value)> parameters)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(parameters);
        var body = _build(inputs, system);
        foreach (var (name, value) in parameters)
        {
            var path = _fields[name].Split('.');
            var target = body;
            foreach (var step in path[..^1])
            {
                if (target[step] is not JsonObject next) target[step] = next = new JsonObject();
                target = next;
            }
            target[path[^1]] = ProviderParams.Value(value, list: path[^1].StartsWith("stop", StringComparison.OrdinalIgnoreCase));
        }
        return body;
    }

    /// <summary>One output per input from the answer: the text, or the vector for the embedding formats; an answer
    /// without it fails that row (status 200, not retried).</summary>
    public IReadOnlyList<ModelOutput> Read(JsonNode answer, int count)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var outputs = new ModelOutput[count];
        for (var i = 0; i < count; i++)
        {
            JsonNode? value;
            try { value = _read(answer, i); }
            catch (Exception e) when (e is ArgumentOutOfRangeException or InvalidOperationException) { value = null; } // a missing item or a node of another kind
            try
            {
                outputs[i] = (IsEmbedding, value) switch
                {
                    (true, JsonArray vector) => new ModelOutput([vector.Select(v => (object?)v!.GetValue<float>()).ToArray()]),
                    (false, JsonValue text) when text.TryGetValue<string>(out var s) => new ModelOutput([s]),
                    _ => ModelOutput.Failed(new ModelInvocationException($"The answer has no {(IsEmbedding ? "embedding" : "text")} for input {i} in the {Name} format", 200)),
                };
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException)
            {
                outputs[i] = ModelOutput.Failed(new ModelInvocationException($"The embedding for input {i} in the {Name} format is not a list of numbers", 200));
            }
        }
        return outputs;
    }
}
