using Runnel.Core.Errors;
using Runnel.Core.Options;
using Runnel.Models.Abstractions;
using Runnel.Models.Local;
using Runnel.Models.Providers.OpenAI;

namespace Runnel.Engine.Models;

/// <summary>The model providers an engine knows, registered in one place (no assembly scanning).</summary>
public sealed class ModelProviderRegistry
{
    private readonly Dictionary<string, IModelProvider> _providers = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Registers a provider under its name (replacing one of the same name).</summary>
    public ModelProviderRegistry Add(IModelProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        _providers[provider.Name] = provider;
        return this;
    }

    /// <summary>Registers the <c>local</c> provider.</summary>
    public ModelProviderRegistry AddLocal() => Add(new LocalProvider());
    /// <summary>Registers the <c>openai</c> provider.</summary>
    public ModelProviderRegistry AddOpenAI() => Add(new OpenAIProvider());
    /// <summary>Registers the <c>azureopenai</c> provider.</summary>
    public ModelProviderRegistry AddAzureOpenAI() => Add(new Runnel.Models.Providers.AzureOpenAI.AzureOpenAIProvider());
    /// <summary>Registers the <c>googleai</c> provider.</summary>
    public ModelProviderRegistry AddGoogleAI() => Add(new Runnel.Models.Providers.GoogleAI.GoogleAIProvider());
    /// <summary>Registers the <c>anthropic</c> provider.</summary>
    public ModelProviderRegistry AddAnthropic() => Add(new Runnel.Models.Providers.Anthropic.AnthropicProvider());
    /// <summary>Registers the <c>bedrock</c> provider.</summary>
    public ModelProviderRegistry AddBedrock() => Add(new Runnel.Models.Providers.Bedrock.BedrockProvider());
    /// <summary>Registers the <c>azureml</c> provider.</summary>
    public ModelProviderRegistry AddAzureML() => Add(new Runnel.Models.Providers.AzureML.AzureMLProvider());
    /// <summary>Registers the <c>sagemaker</c> provider.</summary>
    public ModelProviderRegistry AddSageMaker() => Add(new Runnel.Models.Providers.SageMaker.SageMakerProvider());
    /// <summary>Registers the <c>vertexai</c> provider.</summary>
    public ModelProviderRegistry AddVertexAI() => Add(new Runnel.Models.Providers.VertexAI.VertexAIProvider());
    /// <summary>Registers every built-in provider.</summary>
    public ModelProviderRegistry AddBuiltIns() =>
        AddLocal().AddOpenAI().AddAzureOpenAI().AddAzureML().AddGoogleAI().AddVertexAI().AddAnthropic().AddBedrock().AddSageMaker();

    /// <summary>Registered provider names, sorted.</summary>
    public IEnumerable<string> Names => _providers.Keys.Order(StringComparer.Ordinal);

    /// <summary>The provider by name (case-insensitive); throws <see cref="Core.Errors.OptionException"/> listing the registered ones.</summary>
    public IModelProvider Get(string name) => _providers.TryGetValue(name, out var p) ? p
        : throw new OptionException($"Unsupported model provider '{name}'. Supported providers: {string.Join(", ", Names)}");

    /// <summary>
    /// Every option a model of <paramref name="provider"/> accepts: the generic keys of Confluent's CREATE MODEL
    /// (<c>provider</c>, <c>task</c>, <c>&lt;p&gt;.connection</c>, <c>&lt;p&gt;.client_timeout</c>, formats, content
    /// types, <c>&lt;p&gt;.system_prompt</c>, <c>&lt;p&gt;.params.*</c>), Flink's <c>error-handling-strategy</c>,
    /// <c>default_version</c>, the legacy <c>type</c>, and the provider's own.
    /// </summary>
    public static OptionSchema Schema(IModelProvider provider)
    {
        var p = provider.Name;
        var generic = new List<OptionDef>
        {
            new("provider", OptionType.String, "The model provider.", Required: true),
            new("task", OptionType.Enum, "What the model does; ML_EVALUATE picks its metrics from it.", Required: true, AllowedValues: ModelTasks.All),
            new("type", OptionType.Enum, "Legacy: 'remote'.", AllowedValues: ["remote", "local"]),
            new("default_version", OptionType.Int, "The version used when none is named (ALTER MODEL m SET ('default_version' = 'n')).")
        ,
            new("error-handling-strategy", OptionType.Enum, "What a row whose call fails does: fail the statement (failover, the default), retry, or continue with NULL outputs (ignore).", AllowedValues: ["retry", "failover", "ignore"]),
            new("runnel.cache", OptionType.Enum, "Runnel's own: answer identical inputs from the engine's cache — auto (the default: embeddings and temperature 0 of remote models), on, off.", AllowedValues: ["auto", "on", "off"]),
            new("runnel.cache.persist", OptionType.Bool, "Runnel's own: also keep cached answers across runs in model-cache.db in the catalog directory (default false)."),
            new("runnel.requests-per-minute", OptionType.Int, "Runnel's own: at most this many requests a minute to this model version, shared by every statement of the engine; calls wait, never fail, for it."),
            new("runnel.tokens-per-minute", OptionType.Int, "Runnel's own: at most this many estimated tokens a minute (4 characters a token, plus params.max_tokens)."),
            new("runnel.price.input-per-1m-tokens", OptionType.Double, "Runnel's own: US dollars per million input tokens, for the cost estimate in --stats, --summary and the runnel.model.cost metric."),
            new("runnel.price.output-per-1m-tokens", OptionType.Double, "Runnel's own: US dollars per million output tokens."),
            new("runnel.max-batch-size", OptionType.Int, "Runnel's own: at most this many rows a request (default and upper bound: the provider's maximum, e.g. 2,048 for OpenAI embeddings)."),
            new("runnel.batch-linger-ms", OptionType.Int, "Runnel's own: how long a partial request waits for more rows from later input batches (default 50 ms for providers that take many inputs a request, 0 otherwise)."),
            new($"{p}.client_timeout", OptionType.Double, "Seconds one request may take (default 30, as Confluent)."),
        };
        if (provider.NeedsConnection)
        {
            generic.Add(new($"{p}.connection", OptionType.String, "The connection (CREATE CONNECTION) with endpoint and credentials."));
            generic.Add(new($"{p}.input_content_type", OptionType.String, "Content type of requests."));
            generic.Add(new($"{p}.output_content_type", OptionType.String, "Content type of answers."));
        }
        return new OptionSchema($"provider '{p}'", generic.Concat(provider.Options));
    }

    /// <summary>Most <c>&lt;provider&gt;.params.*</c> options a model version may have (Confluent's limit).</summary>
    public const int MaxParams = 32;

    /// <summary>Checks a model version's options against the provider's <see cref="Schema"/> and the
    /// <see cref="MaxParams"/> limit; throws <see cref="OptionException"/> naming the problem.</summary>
    public static void Validate(IModelProvider provider, IReadOnlyDictionary<string, string> options)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(options);
        Schema(provider).Validate(options);
        var prefix = provider.Name + ".params.";
        var count = options.Keys.Count(k => k.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));
        if (count > MaxParams) throw new OptionException($"Model has {count} '{prefix}*' options; at most {MaxParams} are allowed");
    }

    /// <summary>True when <paramref name="key"/> is a secret of the provider's schema.</summary>
    public static bool IsSecret(IModelProvider provider, string key) =>
        Schema(provider).Find(key) is { IsSecret: true };
}
