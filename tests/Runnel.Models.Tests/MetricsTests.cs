using Runnel.Models.Abstractions;
using Runnel.Models.Evaluation;

namespace Runnel.Models.Tests;

/// <summary>Expected values were computed independently (a short Python script, not this code) from the definitions
/// in docs/sql-reference.md.</summary>
public class MetricsTests
{
    private static void Near(double expected, double actual) => Assert.Equal(expected, actual, 9);

    [Fact]
    public void Classification_MacroAverages()
    {
        var m = Metrics.Classification([("a", "a"), ("a", "b"), ("b", "b"), ("b", "b"), ("c", "a")]);
        Near(0.6, m["Accuracy"]);
        Near(0.38888888888888884, m["Precision"]);
        Near(0.5, m["Recall"]);
        Near(0.43333333333333335, m["F1"]);
    }

    [Fact]
    public void Regression_ErrorsAndRSquared()
    {
        var m = Metrics.Regression([(3, 2.5), (-0.5, 0.0), (2, 2), (7, 8)]);
        Near(0.5, m["MAE"]);
        Near(0.375, m["MSE"]);
        Near(0.6123724356957945, m["RMSE"]);
        Near(0.3273809523809524, m["MAPE"]);
        Near(0.9486081370449679, m["R²"]);
    }

    [Fact]
    public void Embedding_Similarities()
    {
        var m = Metrics.Embedding([([1, 0, 0], [1, 0, 0]), ([1, 1, 0], [0, 1, 1])]);
        Near(0.75, m["Mean Cosine Similarity"]);
        Near(0.6666666666666666, m["Mean Jaccard Similarity"]);
        Near(0.7071067811865476, m["Mean Euclidean Distance"]);
    }

    [Fact]
    public void TextGeneration_BleuAndRouge()
    {
        Near(0.8333333333333334, Metrics.RougeL("the cat sat on the mat", "the cat is on the mat"));
        Near(0.48549177170732344, Metrics.Bleu("the cat sat on the mat", "the cat is on the mat"));
        var m = Metrics.TextGeneration([("same words here", "same words here")]);
        Near(1.0, m["Mean Semantic Similarity"]);
    }

    [Fact]
    public void Clustering_DaviesBouldinSilhouetteVariance()
    {
        var m = Metrics.Clustering([([0.0], 0), ([2.0], 0), ([10.0], 1), ([12.0], 1)]);
        Near(0.2, m["Mean Davies-Bouldin Index"]);
        Near(0.797979797979798, m["Silhouette Score"]);
        Near(1.0, m["Intra-Cluster Variance"]);
    }

    [Fact]
    public void Compute_DispatchesOnTask()
    {
        var m = Metrics.Compute(ModelTasks.Classification, [("x", "x", null), (1, "1", null)]);
        Assert.Equal(1.0, m["Accuracy"]);
    }
}
