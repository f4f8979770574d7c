using System.Globalization;
using System.Text.RegularExpressions;
using Runnel.Core.Data;
using Runnel.Models.Abstractions;
using Runnel.Models.Local;

namespace Runnel.Models.Evaluation;

/// <summary>
/// The metrics of ML_EVALUATE, per task, computed from (expected, predicted) pairs. Definitions (docs/sql-reference.md):
/// classification — Accuracy = correct / n; Precision, Recall and F1 are macro averages over every class that occurs
/// as a label or a prediction (a class never predicted has precision 0); labels compare as text. Regression — MAE,
/// MSE, RMSE, MAPE = mean |y − ŷ| / |y| over rows with y ≠ 0 (a fraction, not a percentage), R² = 1 − SS_res / SS_tot.
/// Clustering (numeric features) — Mean Davies-Bouldin Index (Davies and Bouldin 1979, Euclidean), Silhouette Score
/// (mean silhouette, Rousseeuw 1987), Intra-Cluster Variance (mean squared distance to the cluster centroid).
/// Embedding — Mean Cosine Similarity, Mean Jaccard Similarity (Σ min / Σ max of absolute components), Mean Euclidean
/// Distance. Text generation — Mean BLEU (sentence BLEU-4, uniform weights, add-one smoothing of the n-gram precisions
/// for n ≥ 2, Lin and Och 2004, with the brevity penalty), Mean ROUGE (ROUGE-L F1 over lower-cased words, Lin 2004),
/// Mean Semantic Similarity (cosine of hashed TF-IDF word vectors: lexical, not semantic).
/// </summary>
public static partial class Metrics
{
    /// <summary>The metrics of <paramref name="task"/> over (expected, predicted, features) triples.</summary>
    public static Dictionary<string, double> Compute(string task, IReadOnlyList<(object? Expected, object? Predicted, double[]? Features)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        return task switch
        {
            ModelTasks.Classification => Classification(pairs.Select(p => (Text(p.Expected), Text(p.Predicted))).ToList()),
            ModelTasks.Regression => Regression(pairs.Where(p => p.Expected is not null && p.Predicted is not null)
                .Select(p => (D(p.Expected), D(p.Predicted))).ToList()),
            ModelTasks.Clustering => Clustering(pairs.Where(p => p.Features is not null && p.Predicted is not null)
                .Select(p => (p.Features!, Convert.ToInt32(p.Predicted, CultureInfo.InvariantCulture))).ToList()),
            ModelTasks.Embedding => Embedding(pairs.Where(p => p.Expected is object?[] && p.Predicted is object?[])
                .Select(p => (Vector(p.Expected!), Vector(p.Predicted!))).ToList()),
            _ => TextGeneration(pairs.Where(p => p.Expected is not null && p.Predicted is not null)
                .Select(p => (Text(p.Expected), Text(p.Predicted))).ToList()),
        };
    }

    private static string Text(object? v) => v is null ? "" : v as string ?? ValueFormatter.Format(v);
    private static double D(object? v) => Convert.ToDouble(v, CultureInfo.InvariantCulture);
    private static double[] Vector(object v) => ((object?[])v).Select(x => x is null ? 0 : D(x)).ToArray();

    /// <summary>Classification metrics of (expected, predicted) labels.</summary>
    public static Dictionary<string, double> Classification(IReadOnlyList<(string Expected, string Predicted)> pairs)
    {
        var n = pairs.Count;
        var classes = pairs.SelectMany(p => new[] { p.Expected, p.Predicted }).Distinct().ToList();
        double precision = 0, recall = 0, f1 = 0;
        foreach (var c in classes)
        {
            var tp = pairs.Count(p => p.Expected == c && p.Predicted == c);
            var fp = pairs.Count(p => p.Expected != c && p.Predicted == c);
            var fn = pairs.Count(p => p.Expected == c && p.Predicted != c);
            var pr = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
            var rc = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
            precision += pr;
            recall += rc;
            f1 += pr + rc == 0 ? 0 : 2 * pr * rc / (pr + rc);
        }
        var k = Math.Max(1, classes.Count);
        return new()
        {
            ["Accuracy"] = n == 0 ? 0 : (double)pairs.Count(p => p.Expected == p.Predicted) / n,
            ["Precision"] = precision / k,
            ["Recall"] = recall / k,
            ["F1"] = f1 / k,
        };
    }

    /// <summary>Regression metrics of (actual, predicted) values.</summary>
    public static Dictionary<string, double> Regression(IReadOnlyList<(double Y, double Yhat)> pairs)
    {
        if (pairs.Count == 0) return new() { ["MAE"] = 0, ["MSE"] = 0, ["RMSE"] = 0, ["MAPE"] = 0, ["R²"] = 0 };
        var mae = pairs.Average(p => Math.Abs(p.Y - p.Yhat));
        var mse = pairs.Average(p => (p.Y - p.Yhat) * (p.Y - p.Yhat));
        var nonZero = pairs.Where(p => p.Y != 0).ToList();
        var mape = nonZero.Count == 0 ? 0 : nonZero.Average(p => Math.Abs((p.Y - p.Yhat) / p.Y));
        var mean = pairs.Average(p => p.Y);
        var ssTot = pairs.Sum(p => (p.Y - mean) * (p.Y - mean));
        var ssRes = pairs.Sum(p => (p.Y - p.Yhat) * (p.Y - p.Yhat));
        return new() { ["MAE"] = mae, ["MSE"] = mse, ["RMSE"] = Math.Sqrt(mse), ["MAPE"] = mape, ["R²"] = ssTot == 0 ? 0 : 1 - ssRes / ssTot };
    }

    private static double Dist(double[] a, double[] b) => Math.Sqrt(a.Zip(b).Sum(p => (p.First - p.Second) * (p.First - p.Second)));

    /// <summary>Clustering metrics of (features, cluster) points.</summary>
    public static Dictionary<string, double> Clustering(IReadOnlyList<(double[] X, int Cluster)> points)
    {
        var clusters = points.GroupBy(p => p.Cluster).ToDictionary(g => g.Key, g => g.Select(p => p.X).ToList());
        var centroids = clusters.ToDictionary(c => c.Key, c => Enumerable.Range(0, c.Value[0].Length).Select(i => c.Value.Average(x => x[i])).ToArray());
        var scatter = clusters.ToDictionary(c => c.Key, c => c.Value.Average(x => Dist(x, centroids[c.Key])));
        double db = 0;
        foreach (var i in clusters.Keys)
            db += clusters.Keys.Where(j => j != i).Select(j => (scatter[i] + scatter[j]) / Math.Max(1e-12, Dist(centroids[i], centroids[j]))).DefaultIfEmpty(0).Max();
        db /= Math.Max(1, clusters.Count);
        double silhouette = 0;
        foreach (var (x, c) in points)
        {
            var own = clusters[c];
            var a = own.Count <= 1 ? 0 : own.Where(y => !ReferenceEquals(y, x)).Average(y => Dist(x, y));
            var b = clusters.Where(o => o.Key != c).Select(o => o.Value.Average(y => Dist(x, y))).DefaultIfEmpty(0).Min();
            silhouette += own.Count <= 1 || Math.Max(a, b) == 0 ? 0 : (b - a) / Math.Max(a, b);
        }
        var variance = points.Count == 0 ? 0 : points.Average(p => Math.Pow(Dist(p.X, centroids[p.Cluster]), 2));
        return new()
        {
            ["Mean Davies-Bouldin Index"] = db,
            ["Silhouette Score"] = points.Count == 0 ? 0 : silhouette / points.Count,
            ["Intra-Cluster Variance"] = variance,
        };
    }

    /// <summary>Cosine similarity of two vectors (0 when either is all zeros).</summary>
    public static double Cosine(double[] a, double[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
        return na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
    }

    /// <summary>Embedding metrics of (expected, predicted) vectors.</summary>
    public static Dictionary<string, double> Embedding(IReadOnlyList<(double[] Expected, double[] Predicted)> pairs)
    {
        if (pairs.Count == 0) return new() { ["Mean Cosine Similarity"] = 0, ["Mean Jaccard Similarity"] = 0, ["Mean Euclidean Distance"] = 0 };
        static double Jaccard(double[] a, double[] b)
        {
            double min = 0, max = 0;
            for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
            {
                var x = i < a.Length ? Math.Abs(a[i]) : 0;
                var y = i < b.Length ? Math.Abs(b[i]) : 0;
                min += Math.Min(x, y);
                max += Math.Max(x, y);
            }
            return max == 0 ? 1 : min / max;
        }
        return new()
        {
            ["Mean Cosine Similarity"] = pairs.Average(p => Cosine(p.Expected, p.Predicted)),
            ["Mean Jaccard Similarity"] = pairs.Average(p => Jaccard(p.Expected, p.Predicted)),
            ["Mean Euclidean Distance"] = pairs.Average(p => Dist(p.Expected, p.Predicted)),
        };
    }

    [GeneratedRegex(@"[\p{L}\p{N}']+", RegexOptions.CultureInvariant)]
    private static partial Regex Words();

    private static List<string> Tokens(string s) => Words().Matches(s.ToLowerInvariant()).Select(m => m.Value).ToList();

    /// <summary>Sentence BLEU-4 of a candidate against one reference.</summary>
    public static double Bleu(string reference, string candidate)
    {
        var r = Tokens(reference);
        var c = Tokens(candidate);
        if (c.Count == 0) return 0;
        var logSum = 0.0;
        for (var n = 1; n <= 4; n++)
        {
            var cand = NGrams(c, n);
            var refs = NGrams(r, n);
            var total = cand.Values.Sum();
            var matched = cand.Sum(kv => Math.Min(kv.Value, refs.TryGetValue(kv.Key, out var m) ? m : 0));
            double p = n == 1 ? (total == 0 ? 0 : (double)matched / total) : (matched + 1.0) / (total + 1.0);
            if (p == 0) return 0;
            logSum += Math.Log(p) / 4;
        }
        var bp = c.Count >= r.Count ? 1 : Math.Exp(1 - (double)r.Count / c.Count);
        return bp * Math.Exp(logSum);
    }

    private static Dictionary<string, int> NGrams(List<string> tokens, int n)
    {
        var d = new Dictionary<string, int>();
        for (var i = 0; i + n <= tokens.Count; i++)
        {
            var g = string.Join(' ', tokens.Skip(i).Take(n));
            d[g] = d.TryGetValue(g, out var c) ? c + 1 : 1;
        }
        return d;
    }

    /// <summary>ROUGE-L F1: longest common subsequence of words.</summary>
    public static double RougeL(string reference, string candidate)
    {
        var r = Tokens(reference);
        var c = Tokens(candidate);
        if (r.Count == 0 || c.Count == 0) return 0;
        var dp = new int[r.Count + 1, c.Count + 1];
        for (var i = 1; i <= r.Count; i++)
            for (var j = 1; j <= c.Count; j++)
                dp[i, j] = r[i - 1] == c[j - 1] ? dp[i - 1, j - 1] + 1 : Math.Max(dp[i - 1, j], dp[i, j - 1]);
        var lcs = dp[r.Count, c.Count];
        if (lcs == 0) return 0;
        var precision = (double)lcs / c.Count;
        var recall = (double)lcs / r.Count;
        return 2 * precision * recall / (precision + recall);
    }

    /// <summary>Text-generation metrics of (reference, candidate) texts.</summary>
    public static Dictionary<string, double> TextGeneration(IReadOnlyList<(string Reference, string Candidate)> pairs)
    {
        if (pairs.Count == 0) return new() { ["Mean BLEU"] = 0, ["Mean ROUGE"] = 0, ["Mean Semantic Similarity"] = 0 };
        var featurizer = new Featurizer(1 << 12, [new Core.Types.Column("text", Core.Types.SqlType.String)], charGrams: false);
        double Similarity(string a, string b)
        {
            var va = new double[featurizer.Dimension];
            var vb = new double[featurizer.Dimension];
            foreach (var (k, n) in featurizer.TermCounts(0, a)) va[k] = 1 + Math.Log(n);
            foreach (var (k, n) in featurizer.TermCounts(0, b)) vb[k] = 1 + Math.Log(n);
            return Cosine(va, vb);
        }
        return new()
        {
            ["Mean BLEU"] = pairs.Average(p => Bleu(p.Reference, p.Candidate)),
            ["Mean ROUGE"] = pairs.Average(p => RougeL(p.Reference, p.Candidate)),
            ["Mean Semantic Similarity"] = pairs.Average(p => Similarity(p.Reference, p.Candidate)),
        };
    }
}
