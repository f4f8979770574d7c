using System.Globalization;
using Runnel.Core.Data;
using Runnel.Core.Errors;
using Runnel.Core.Options;
using Runnel.Core.Types;
using Runnel.Models.Abstractions;

namespace Runnel.Models.Local;

/// <summary>
/// The <c>local</c> provider: in-process models trained from SQL with <c>CREATE MODEL .. AS SELECT features.., label
/// FROM t</c>, needing no network. Tasks: classification (<see cref="LogisticRegressionModel"/>), regression
/// (<see cref="RidgeRegressionModel"/>), clustering (<see cref="KMeansModel"/>) and embedding
/// (<see cref="TfIdfEmbeddingModel"/>, lexical). Training is deterministic for a <c>local.seed</c>; the artifact is stored
/// with the model version in the catalog.
/// </summary>
public sealed class LocalProvider : IModelProvider, IModelTrainer
{
    /// <inheritdoc />
    public string Name => "local";
    /// <inheritdoc />
    public bool NeedsConnection => false;
    /// <inheritdoc />
    public IReadOnlyList<string> Tasks { get; } = [ModelTasks.Classification, ModelTasks.Regression, ModelTasks.Clustering, ModelTasks.Embedding];

    /// <inheritdoc />
    public IReadOnlyList<OptionDef> Options { get; } =
    [
        new("local.features", OptionType.Int, "Hashed feature buckets for classification and regression.", Default: "262144"),
        new("local.dimensions", OptionType.Int, "Vector length for embedding and clustering.", Default: "256"),
        new("local.k", OptionType.Int, "Number of clusters (clustering).", Default: "3"),
        new("local.epochs", OptionType.Int, "Passes over the training rows (classification, regression).", Default: "10"),
        new("local.learning_rate", OptionType.Double, "AdaGrad base step size.", Default: "0.5"),
        new("local.l2", OptionType.Double, "L2 regularization strength.", Default: "0.000001"),
        new("local.max_iterations", OptionType.Int, "Lloyd iterations at most (clustering).", Default: "50"),
        new("local.seed", OptionType.Int, "Seed of the training order and k-means++ initialisation.", Default: "42"),
        new("local.char_ngrams", OptionType.Bool, "Use character 3-5-grams as well as words (classification, regression, clustering).", Default: "true"),
    ];

    private static int Int(ModelVersionInfo v, string key, int fallback) =>
        int.TryParse(v.Option(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : fallback;

    private static double Double(ModelVersionInfo v, string key, double fallback) =>
        double.TryParse(v.Option(key), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : fallback;

    /// <inheritdoc />
    public void Validate(ModelVersionInfo version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var sig = version.Signature;
        switch (version.Task)
        {
            case ModelTasks.TextGeneration:
                throw new OptionException("The 'local' provider does not offer the text_generation task; use a remote provider (openai, azureopenai, anthropic, bedrock, googleai, vertexai) or an OpenAI-compatible local server through provider 'openai'");
            case ModelTasks.Embedding:
                if (sig.Inputs.Count != 1 || !sig.Inputs[0].Type.IsCharacter || sig.Outputs.Count != 1 || sig.Outputs[0].Type.Kind != TypeKind.Array)
                    throw new OptionException("A local embedding model takes one STRING input and returns one ARRAY<FLOAT> output");
                break;
            case ModelTasks.Classification:
                if (sig.Outputs.Count is < 1 or > 2 || (sig.Outputs.Count == 2 && sig.Outputs[1].Type.Kind is not (TypeKind.Double or TypeKind.Float)))
                    throw new OptionException("A local classification model returns the label, optionally followed by its probability as DOUBLE");
                break;
            case ModelTasks.Regression:
                if (sig.Outputs.Count != 1 || !sig.Outputs[0].Type.IsNumeric)
                    throw new OptionException("A local regression model returns one numeric output");
                break;
            case ModelTasks.Clustering:
                if (sig.Outputs.Count != 1 || !sig.Outputs[0].Type.IsExactInteger)
                    throw new OptionException("A local clustering model returns one INT or BIGINT output: the cluster index");
                if (Int(version, "local.k", 3) < 2) throw new OptionException("local.k must be at least 2");
                break;
        }
        foreach (var input in sig.Inputs)
            if (!(input.Type.IsCharacter || input.Type.IsNumeric || input.Type.Kind is TypeKind.Boolean || (input.Type.Kind == TypeKind.Array && input.Type.Element!.IsNumeric)))
                throw new OptionException($"Local models take STRING, numeric, BOOLEAN or numeric ARRAY inputs; '{input.Name}' is {input.Type}");
    }

    /// <inheritdoc />
    public byte[] Train(ModelVersionInfo version, IReadOnlyList<object?[]> rows)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(rows);
        var inputs = version.Signature.Inputs;
        var seed = Int(version, "local.seed", 42);
        var charGrams = !string.Equals(version.Option("local.char_ngrams"), "false", StringComparison.OrdinalIgnoreCase);
        var supervised = version.Task is ModelTasks.Classification or ModelTasks.Regression;
        var expected = inputs.Count + (supervised ? 1 : 0);
        if (rows.Count == 0) throw new OptionException($"The training query of model '{version.ModelName}' returned no rows");
        if (rows[0].Length != expected)
            throw new OptionException($"The training query of a local {version.Task} model must return the {inputs.Count} INPUT column(s){(supervised ? " followed by the label" : "")}: {expected} columns, got {rows[0].Length}");
        LocalModel model;
        switch (version.Task)
        {
            case ModelTasks.Classification:
            {
                var f = new Featurizer(Int(version, "local.features", 262144), inputs, charGrams);
                var data = rows.Where(r => r[^1] is not null).Select(r => (f.Features(r[..^1]), ValueFormatter.Format(r[^1]))).ToList();
                model = LogisticRegressionModel.Train(f, data, Int(version, "local.epochs", 10), Double(version, "local.learning_rate", 0.5), Double(version, "local.l2", 1e-6), seed);
                break;
            }
            case ModelTasks.Regression:
            {
                var f = new Featurizer(Int(version, "local.features", 262144), inputs, charGrams);
                var data = rows.Where(r => r[^1] is not null).Select(r => (f.Features(r[..^1]), Convert.ToDouble(r[^1], CultureInfo.InvariantCulture))).ToList();
                model = RidgeRegressionModel.Train(f, data, Int(version, "local.epochs", 10), Double(version, "local.learning_rate", 0.5), Double(version, "local.l2", 1e-6), seed);
                break;
            }
            case ModelTasks.Clustering:
            {
                var f = new Featurizer(Int(version, "local.dimensions", 256), inputs, charGrams);
                model = KMeansModel.Train(f, rows.Select(r => f.Features(r)).ToList(), Int(version, "local.k", 3), Int(version, "local.max_iterations", 50), seed);
                break;
            }
            case ModelTasks.Embedding:
            {
                var f = new Featurizer(Int(version, "local.dimensions", 256), inputs, charGrams: false);
                model = TfIdfEmbeddingModel.Train(f, rows.Select(r => r[0] as string ?? "").ToList());
                break;
            }
            default:
                throw new OptionException($"The 'local' provider cannot train task '{version.Task}'");
        }
        return model.Serialize();
    }

    /// <inheritdoc />
    public IModelInvoker CreateInvoker(ModelVersionInfo version, ConnectionInfo? connection)
    {
        ArgumentNullException.ThrowIfNull(version);
        LocalModel model;
        if (version.Artifact is { } artifact) model = LocalModel.Deserialize(artifact, version.Signature.Inputs);
        else if (version.Task == ModelTasks.Embedding)
            model = new TfIdfEmbeddingModel(new Featurizer(Int(version, "local.dimensions", 256), version.Signature.Inputs, charGrams: false), Enumerable.Repeat(1.0, Int(version, "local.dimensions", 256)).ToArray());
        else throw new RunnelException($"Model '{version.ModelName}' version {version.Version} has not been trained: create it with AS SELECT <features>, <label> FROM ...");
        return new Invoker(model, version.Signature.Outputs);
    }

    private sealed class Invoker(LocalModel model, IReadOnlyList<Column> outputs) : IModelInvoker
    {
        public int PreferredBatchSize => 256;

        public Task<IReadOnlyList<ModelOutput>> PredictAsync(IReadOnlyList<object?[]> inputs, CancellationToken cancellationToken = default)
        {
            IReadOnlyList<ModelOutput> result = inputs.Select(i => new ModelOutput(model.Predict(i, outputs))).ToList();
            return Task.FromResult(result);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
