using Runnel.Core.Errors;
using Runnel.Core.Types;
using Runnel.Models.Abstractions;
using Runnel.Models.Local;

namespace Runnel.Models.Tests;

public class LocalProviderTests
{
    private static ModelVersionInfo Version(string task, IReadOnlyList<Column> inputs, IReadOnlyList<Column> outputs, params (string, string)[] options) => new()
    {
        ModelName = "m",
        Version = 1,
        Task = task,
        Signature = new ModelSignature(inputs, outputs),
        Options = options.Append(("provider", "local")).ToDictionary(o => o.Item1, o => o.Item2),
    };

    private static readonly object?[][] Sentences =
    [
        ["I love it, great", "pos"], ["great and wonderful", "pos"], ["love love love", "pos"],
        ["I hate it, awful", "neg"], ["awful and horrible", "neg"], ["hate hate hate", "neg"],
    ];

    [Fact]
    public async Task Classification_IsDeterministicForASeed_AndSurvivesSerialization()
    {
        var provider = new LocalProvider();
        var v = Version(ModelTasks.Classification, [new Column("text", SqlType.String)], [new Column("label", SqlType.String)], ("local.seed", "5"));
        var first = provider.Train(v, Sentences);
        var second = provider.Train(v, Sentences);
        Assert.Equal(first, second);
        var other = provider.Train(Version(ModelTasks.Classification, v.Signature.Inputs, v.Signature.Outputs, ("local.seed", "6")), Sentences);
        Assert.NotEqual(first, other);
        await using var invoker = provider.CreateInvoker(new ModelVersionInfo { ModelName = "m", Version = 1, Task = v.Task, Signature = v.Signature, Options = v.Options, Artifact = first }, null);
        var outputs = await invoker.PredictAsync([["what a great wonderful thing"], ["horrible, I hate this"]]);
        Assert.Equal("pos", outputs[0].Values![0]);
        Assert.Equal("neg", outputs[1].Values![0]);
    }

    [Fact]
    public void TextGeneration_IsRefusedWithTheProvidersThatOfferIt()
    {
        var e = Assert.Throws<OptionException>(() => new LocalProvider().Validate(Version(ModelTasks.TextGeneration, [new Column("p", SqlType.String)], [new Column("r", SqlType.String)])));
        Assert.Contains("openai", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embedding_SharedWordsAreCloserThanDisjointOnes()
    {
        var provider = new LocalProvider();
        var v = Version(ModelTasks.Embedding, [new Column("text", SqlType.String)], [new Column("e", SqlType.Array(SqlType.Float))], ("local.dimensions", "128"));
        var artifact = provider.Train(v, [["red apple"], ["green apple"], ["blue sky"]]);
        await using var invoker = provider.CreateInvoker(new ModelVersionInfo { ModelName = "m", Version = 1, Task = v.Task, Signature = v.Signature, Options = v.Options, Artifact = artifact }, null);
        var o = await invoker.PredictAsync([["red apple"], ["green apple"], ["blue sky"]]);
        double[] V(int i) => ((object?[])o[i].Values![0]!).Select(x => (double)(float)x!).ToArray();
        Assert.Equal(128, V(0).Length);
        Assert.True(Evaluation.Metrics.Cosine(V(0), V(1)) > Evaluation.Metrics.Cosine(V(0), V(2)));
    }
}
