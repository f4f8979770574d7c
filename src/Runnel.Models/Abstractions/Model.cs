using Runnel.Core.Errors;
using Runnel.Core.Options;
using Runnel.Core.Types;

namespace Runnel.Models.Abstractions;

/// <summary>The model tasks of Confluent's CREATE MODEL (the <c>task</c> option), used by ML_EVALUATE.</summary>
public static class ModelTasks
{
    public const string Classification = "classification";
    public const string Regression = "regression";
    public const string Clustering = "clustering";
    public const string Embedding = "embedding";
    public const string TextGeneration = "text_generation";
    public static readonly IReadOnlyList<string> All = [Classification, Clustering, Embedding, Regression, TextGeneration];
}

/// <summary>A model's INPUT and OUTPUT columns.</summary>
public sealed record ModelSignature(IReadOnlyList<Column> Inputs, IReadOnlyList<Column> Outputs);

/// <summary>One version of a model as an invoker needs it: signature, task, options (secrets revealed only through
/// <see cref="SecretValue"/>), and the trained artifact of a local model.</summary>
public sealed class ModelVersionInfo
{
    public required string ModelName { get; init; }
    public required int Version { get; init; }
    public required string Task { get; init; }
    public required ModelSignature Signature { get; init; }
    /// <summary>Non-secret options, keys lower-case as stored.</summary>
    public required IReadOnlyDictionary<string, string> Options { get; init; }
    /// <summary>Secret options (legacy <c>openai.api_key</c> and the like).</summary>
    public IReadOnlyDictionary<string, SecretValue> Secrets { get; init; } = new Dictionary<string, SecretValue>();
    public byte[]? Artifact { get; init; }
    public string Provider => Options.TryGetValue("provider", out var p) ? p : "";

    public string? Option(string key) =>
        Options.FirstOrDefault(kv => string.Equals(kv.Key, key, StringComparison.OrdinalIgnoreCase)).Value;
}

/// <summary>A connection (CREATE CONNECTION): endpoint and credentials a model or table uses.</summary>
public sealed class ConnectionInfo
{
    public required string Name { get; init; }
    public required string Type { get; init; }
    public string? Endpoint { get; init; }
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, SecretValue> Secrets { get; init; } = new Dictionary<string, SecretValue>();
}

/// <summary>The result of one input row: output values in OUTPUT order, or the error that row got.</summary>
public sealed record ModelOutput(object?[]? Values, ModelInvocationException? Error = null)
{
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
    int PreferredBatchSize { get; }
    Task<IReadOnlyList<ModelOutput>> PredictAsync(IReadOnlyList<object?[]> inputs, CancellationToken cancellationToken = default);
}

/// <summary>
/// A model provider (the <c>provider</c> option): its option schema, its tasks, and how to build an invoker for a
/// model version with its connection. Registered once in the engine's provider list.
/// </summary>
public interface IModelProvider
{
    string Name { get; }
    IReadOnlyList<string> Tasks { get; }
    /// <summary>Model options this provider accepts (besides the generic ones), prefixed <c>&lt;provider&gt;.</c>.</summary>
    IReadOnlyList<OptionDef> Options { get; }
    /// <summary>True when models of this provider name a connection (<c>&lt;provider&gt;.connection</c>).</summary>
    bool NeedsConnection { get; }
    /// <summary>Checks a model definition at CREATE time (formats, signature); throws <see cref="OptionException"/>.</summary>
    void Validate(ModelVersionInfo version);
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
    public int Status { get; } = status;
    public bool IsRetryable { get; } = isRetryable;
}
