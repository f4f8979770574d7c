using Runnel.Core.Errors;
using Runnel.Core.Options;
using Runnel.Core.Types;

namespace Runnel.Models.Abstractions;

/// <summary>The model tasks of Confluent's CREATE MODEL (the <c>task</c> option), used by ML_EVALUATE.</summary>
public static class ModelTasks
{
    /// <summary>Predicts a label.</summary>
    public const string Classification = "classification";
    /// <summary>Predicts a number.</summary>
    public const string Regression = "regression";
    /// <summary>Assigns a cluster.</summary>
    public const string Clustering = "clustering";
    /// <summary>Maps text to a vector (ARRAY&lt;FLOAT&gt;).</summary>
    public const string Embedding = "embedding";
    /// <summary>Generates text from a prompt.</summary>
    public const string TextGeneration = "text_generation";
    /// <summary>Every task, as the <c>task</c> option accepts them.</summary>
    public static readonly IReadOnlyList<string> All = [Classification, Clustering, Embedding, Regression, TextGeneration];
}

/// <summary>A model's INPUT and OUTPUT columns.</summary>
public sealed record ModelSignature(IReadOnlyList<Column> Inputs, IReadOnlyList<Column> Outputs);

/// <summary>One version of a model as an invoker needs it: signature, task, options (secrets revealed only through
/// <see cref="SecretValue"/>), and the trained artifact of a local model.</summary>
public sealed class ModelVersionInfo
{
    /// <summary>The model's name in the catalog.</summary>
    public required string ModelName { get; init; }
    /// <summary>The version number, from 1.</summary>
    public required int Version { get; init; }
    /// <summary>The model's task (<see cref="ModelTasks"/>).</summary>
    public required string Task { get; init; }
    /// <summary>INPUT and OUTPUT columns.</summary>
    public required ModelSignature Signature { get; init; }
    /// <summary>Non-secret options, keys lower-case as stored.</summary>
    public required IReadOnlyDictionary<string, string> Options { get; init; }
    /// <summary>Secret options (legacy <c>openai.api_key</c> and the like).</summary>
    public IReadOnlyDictionary<string, SecretValue> Secrets { get; init; } = new Dictionary<string, SecretValue>();
    /// <summary>A trained local model's parameters, or null.</summary>
    public byte[]? Artifact { get; init; }
    /// <summary>The <c>provider</c> option.</summary>
    public string Provider => Options.TryGetValue("provider", out var p) ? p : "";

    /// <summary>A non-secret option by key (case-insensitive), or null.</summary>
    public string? Option(string key) =>
        Options.FirstOrDefault(kv => string.Equals(kv.Key, key, StringComparison.OrdinalIgnoreCase)).Value;
}

/// <summary>A connection (CREATE CONNECTION): endpoint and credentials a model or table uses.</summary>
public sealed class ConnectionInfo
{
    /// <summary>The connection's name in the catalog.</summary>
    public required string Name { get; init; }
    /// <summary>The connection type (<c>openai</c>, <c>bedrock</c>, ...).</summary>
    public required string Type { get; init; }
    /// <summary>The endpoint URL.</summary>
    public string? Endpoint { get; init; }
    /// <summary>Non-secret options other than type and endpoint.</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();
    /// <summary>Secrets by key, revealed only where they are sent.</summary>
    public IReadOnlyDictionary<string, SecretValue> Secrets { get; init; } = new Dictionary<string, SecretValue>();
}

/// <summary>Tokens a provider says one request used, read from its answer.</summary>
/// <param name="InputTokens">Prompt (input) tokens.</param>
/// <param name="OutputTokens">Completion (output) tokens; 0 for embeddings.</param>
public sealed record ModelUsage(long InputTokens, long OutputTokens)
{
    /// <summary>The usage an answer reports, in any of the providers' shapes, or null: OpenAI's
    /// <c>usage.prompt_tokens</c> / <c>completion_tokens</c>, Anthropic's <c>usage.input_tokens</c> /
    /// <c>output_tokens</c>, Gemini's <c>usageMetadata.promptTokenCount</c> / <c>candidatesTokenCount</c>, Cohere's
    /// <c>meta.billed_units</c>, and Bedrock's <c>X-Amzn-Bedrock-Input-Token-Count</c> / <c>-Output-Token-Count</c>
    /// headers.</summary>
    public static ModelUsage? From(System.Text.Json.Nodes.JsonNode? answer, System.Net.Http.Headers.HttpResponseHeaders? headers = null)
    {
        static long? Number(System.Text.Json.Nodes.JsonNode? n) =>
            n is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<double>(out var d) ? (long)d : null;
        if (headers is not null && headers.TryGetValues("X-Amzn-Bedrock-Input-Token-Count", out var bi)
            && long.TryParse(bi.First(), System.Globalization.CultureInfo.InvariantCulture, out var bin))
        {
            var bout = headers.TryGetValues("X-Amzn-Bedrock-Output-Token-Count", out var bo) && long.TryParse(bo.First(), System.Globalization.CultureInfo.InvariantCulture, out var o) ? o : 0;
            return new ModelUsage(bin, bout);
        }
        if (answer is not System.Text.Json.Nodes.JsonObject json) return null;
        if (json["usage"] is System.Text.Json.Nodes.JsonObject u)
        {
            if (Number(u["prompt_tokens"]) is { } p) return new ModelUsage(p, Number(u["completion_tokens"]) ?? 0);
            if (Number(u["input_tokens"]) is { } i) return new ModelUsage(i, Number(u["output_tokens"]) ?? 0);
        }
        if (json["usageMetadata"] is System.Text.Json.Nodes.JsonObject g && Number(g["promptTokenCount"]) is { } gp)
            return new ModelUsage(gp, Number(g["candidatesTokenCount"]) ?? 0);
        if (json["meta"]?["billed_units"] is System.Text.Json.Nodes.JsonObject c && Number(c["input_tokens"]) is { } ci)
            return new ModelUsage(ci, Number(c["output_tokens"]) ?? 0);
        return null;
    }
}

/// <summary>The result of one input row: output values in OUTPUT order, or the error that row got.</summary>
public sealed record ModelOutput(object?[]? Values, ModelInvocationException? Error = null)
{
    /// <summary>Tokens the request used, on the first output of each request whose answer reported them.</summary>
    public ModelUsage? Usage { get; init; }

    /// <summary><paramref name="outputs"/> with <paramref name="usage"/> on the first one (unchanged when null).</summary>
    public static IReadOnlyList<ModelOutput> WithUsage(IReadOnlyList<ModelOutput> outputs, ModelUsage? usage)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        if (usage is null || outputs.Count == 0) return outputs;
        var copy = outputs.ToArray();
        copy[0] = copy[0] with { Usage = usage };
        return copy;
    }

    /// <summary>An output for a row whose call failed.</summary>
    public static ModelOutput Failed(ModelInvocationException error) => new(null, error);
}

/// <summary>
/// Calls one model version. Thread-safe: the runtime may call <see cref="PredictAsync"/> from several tasks at once.
/// Each call takes a batch of input rows (values in INPUT order, never NULL: NULL inputs are answered without a call)
/// and returns one output per row, in order; a provider that takes one input per request handles a batch as
/// <see cref="PreferredBatchSize"/> = 1 and the runtime sizes batches accordingly. Providers do not retry: retries,
/// limits and metrics wrap every invoker the same way.
/// </summary>
public interface IModelInvoker : IAsyncDisposable
{
    /// <summary>How many inputs one call should carry (1 for one-request-per-row formats).</summary>
    int PreferredBatchSize { get; }
    /// <summary>One output per input, in order; a failed row carries its error instead of throwing.</summary>
    Task<IReadOnlyList<ModelOutput>> PredictAsync(IReadOnlyList<object?[]> inputs, CancellationToken cancellationToken = default);
}

/// <summary>
/// A model provider (the <c>provider</c> option): its option schema, its tasks, and how to build an invoker for a
/// model version with its connection. Registered once in the engine's provider list.
/// </summary>
public interface IModelProvider
{
    /// <summary>The <c>provider</c> option value.</summary>
    string Name { get; }
    /// <summary>The tasks the provider offers.</summary>
    IReadOnlyList<string> Tasks { get; }
    /// <summary>Model options this provider accepts (besides the generic ones), prefixed <c>&lt;provider&gt;.</c>.</summary>
    IReadOnlyList<OptionDef> Options { get; }
    /// <summary>True when models of this provider name a connection (<c>&lt;provider&gt;.connection</c>).</summary>
    bool NeedsConnection { get; }
    /// <summary>Checks a model definition at CREATE time (formats, signature); throws <see cref="OptionException"/>.</summary>
    void Validate(ModelVersionInfo version);
    /// <summary>An invoker for one model version; <paramref name="connection"/> is null for providers that need none.</summary>
    IModelInvoker CreateInvoker(ModelVersionInfo version, ConnectionInfo? connection);
}

/// <summary>A provider that trains models from the rows of <c>CREATE MODEL ... AS SELECT</c>.</summary>
public interface IModelTrainer
{
    /// <summary>Trains on rows of (INPUT columns..., label) — or INPUT columns only for unsupervised tasks — and returns
    /// the artifact to store with the version. Deterministic for the same rows and options.</summary>
    byte[] Train(ModelVersionInfo version, IReadOnlyList<object?[]> rows);
}

/// <summary>A failed model call: the provider's HTTP status (0 when there was none) and message, never a secret.
/// <see cref="IsRetryable"/> classifies it for the runtime's retry policy.</summary>
public sealed class ModelInvocationException(string message, int status = 0, bool isRetryable = false, Exception? inner = null)
    : RunnelException(message, inner ?? new InvalidOperationException(message))
{
    /// <summary>The provider's HTTP status, 0 when no answer arrived.</summary>
    public int Status { get; } = status;
    /// <summary>True for throttling, server errors, connection failures and timeouts.</summary>
    public bool IsRetryable { get; } = isRetryable;
    /// <summary>How long the provider asked the client to wait before retrying (<see cref="RetryHints"/>), or null.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
