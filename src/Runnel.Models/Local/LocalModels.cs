using System.Globalization;
using Runnel.Core.Data;
using Runnel.Core.Errors;
using Runnel.Core.Types;
using Runnel.Models.Abstractions;

namespace Runnel.Models.Local;

/// <summary>A trained local model: predicts output values for one row of input values. Immutable, thread-safe.</summary>
internal abstract class LocalModel
{
    public abstract object?[] Predict(object?[] inputs, IReadOnlyList<Column> outputs);
    public abstract void Write(BinaryWriter writer);

    public byte[] Serialize()
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms))
        {
            w.Write(GetType().Name);
            Write(w);
        }
        return ms.ToArray();
    }

    public static LocalModel Deserialize(byte[] data, IReadOnlyList<Column> inputs)
    {
        using var r = new BinaryReader(new MemoryStream(data));
        return r.ReadString() switch
        {
            nameof(LogisticRegressionModel) => LogisticRegressionModel.Read(r, inputs),
            nameof(RidgeRegressionModel) => RidgeRegressionModel.Read(r, inputs),
            nameof(KMeansModel) => KMeansModel.Read(r, inputs),
            nameof(TfIdfEmbeddingModel) => TfIdfEmbeddingModel.Read(r, inputs),
            var other => throw new RunnelException($"Unknown local model kind '{other}' in the catalog"),
        };
    }

    protected static double[] ReadDoubles(BinaryReader r)
    {
        var n = r.ReadInt32();
        var a = new double[n];
        for (var i = 0; i < n; i++) a[i] = r.ReadSingle();
        return a;
    }

    protected static void WriteDoubles(BinaryWriter w, double[] a)
    {
        w.Write(a.Length);
        foreach (var v in a) w.Write((float)v);
    }

    /// <summary>Converts a label or number to the CLR type of an OUTPUT column.</summary>
    protected static object? ToOutput(object? value, Column column)
    {
        if (value is null) return null;
        var t = column.Type;
        if (t.IsCharacter) return value as string ?? ValueFormatter.Format(value);
        if (value is string s) return TextValues.Parse(s, t);
        return t.Kind switch
        {
            TypeKind.Int => Convert.ToInt32(value, CultureInfo.InvariantCulture),
            TypeKind.BigInt => Convert.ToInt64(value, CultureInfo.InvariantCulture),
            TypeKind.Float => Convert.ToSingle(value, CultureInfo.InvariantCulture),
            TypeKind.Double => Convert.ToDouble(value, CultureInfo.InvariantCulture),
            TypeKind.Decimal => Convert.ToDecimal(value, CultureInfo.InvariantCulture),
            TypeKind.Boolean => Convert.ToBoolean(value, CultureInfo.InvariantCulture),
            _ => value,
        };
    }
}

/// <summary>
/// Multinomial logistic regression (softmax regression) over hashed features, trained by stochastic gradient descent
/// with AdaGrad step sizes (Duchi, Hazan and Singer, JMLR 2011) and L2 regularization on the weights each step
/// touches. Rows are visited in an order shuffled by the seed, so training is deterministic. Outputs: the predicted
/// label; a second DOUBLE output column, if declared, gets the label's probability.
/// </summary>
internal sealed class LogisticRegressionModel(Featurizer featurizer, string[] labels, double[][] weights, double[] bias) : LocalModel
{
    public static LogisticRegressionModel Train(Featurizer featurizer, IReadOnlyList<(SortedDictionary<int, double> X, string Label)> rows,
        int epochs, double learningRate, double l2, int seed)
    {
        var labels = rows.Select(r => r.Label).Distinct().Order(StringComparer.Ordinal).ToArray();
        if (labels.Length < 2) throw new OptionException($"Classification needs at least two distinct labels in the training rows, found {labels.Length}");
        var k = labels.Length;
        var w = Enumerable.Range(0, k).Select(_ => new double[featurizer.Dimension]).ToArray();
        var g2 = Enumerable.Range(0, k).Select(_ => new double[featurizer.Dimension]).ToArray();
        var b = new double[k];
        var bg2 = new double[k];
        var index = labels.Select((l, i) => (l, i)).ToDictionary(x => x.l, x => x.i, StringComparer.Ordinal);
        var order = Enumerable.Range(0, rows.Count).ToArray();
        var random = new Random(seed);
        var p = new double[k];
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            random.Shuffle(order);
            foreach (var i in order)
            {
                var (x, label) = rows[i];
                Scores(x, w, b, p);
                var y = index[label];
                for (var c = 0; c < k; c++)
                {
                    var err = p[c] - (c == y ? 1 : 0);
                    foreach (var (f, v) in x)
                    {
                        var grad = err * v + l2 * w[c][f];
                        g2[c][f] += grad * grad;
                        w[c][f] -= learningRate * grad / Math.Sqrt(g2[c][f] + 1e-8);
                    }
                    bg2[c] += err * err;
                    b[c] -= learningRate * err / Math.Sqrt(bg2[c] + 1e-8);
                }
            }
        }
        return new LogisticRegressionModel(featurizer, labels, w, b);
    }

    /// <summary>Softmax probabilities of each class into <paramref name="p"/>.</summary>
    private static void Scores(SortedDictionary<int, double> x, double[][] w, double[] b, double[] p)
    {
        var max = double.NegativeInfinity;
        for (var c = 0; c < p.Length; c++)
        {
            var s = b[c];
            foreach (var (f, v) in x) s += w[c][f] * v;
            p[c] = s;
            max = Math.Max(max, s);
        }
        var sum = 0.0;
        for (var c = 0; c < p.Length; c++) sum += p[c] = Math.Exp(p[c] - max);
        for (var c = 0; c < p.Length; c++) p[c] /= sum;
    }

    public override object?[] Predict(object?[] inputs, IReadOnlyList<Column> outputs)
    {
        var p = new double[labels.Length];
        Scores(featurizer.Features(inputs), weights, bias, p);
        var best = 0;
        for (var c = 1; c < p.Length; c++) if (p[c] > p[best]) best = c;
        var result = new object?[outputs.Count];
        result[0] = ToOutput(labels[best], outputs[0]);
        if (outputs.Count > 1) result[1] = ToOutput(p[best], outputs[1]);
        return result;
    }

    public override void Write(BinaryWriter writer)
    {
        writer.Write(featurizer.Dimension);
        writer.Write(labels.Length);
        foreach (var l in labels) writer.Write(l);
        foreach (var row in weights) WriteDoubles(writer, row);
        WriteDoubles(writer, bias);
    }

    public static LogisticRegressionModel Read(BinaryReader r, IReadOnlyList<Column> inputs)
    {
        var dim = r.ReadInt32();
        var labels = new string[r.ReadInt32()];
        for (var i = 0; i < labels.Length; i++) labels[i] = r.ReadString();
        var w = labels.Select(_ => ReadDoubles(r)).ToArray();
        return new LogisticRegressionModel(new Featurizer(dim, inputs), labels, w, ReadDoubles(r));
    }
}

/// <summary>
/// Ridge regression (least squares with an L2 penalty) over hashed features with standardized targets, fitted by
/// AdaGrad stochastic gradient descent in seed-shuffled order. Numeric inputs are standardized with the training
/// rows' mean and standard deviation, which are stored with the model.
/// </summary>
internal sealed class RidgeRegressionModel(Featurizer featurizer, double[] w, double bias, double yMean, double yStd, double[] fMean, double[] fStd) : LocalModel
{
    public static RidgeRegressionModel Train(Featurizer featurizer, IReadOnlyList<(SortedDictionary<int, double> X, double Y)> rows, int epochs, double learningRate, double l2, int seed)
    {
        var d = featurizer.Dimension;
        var mean = new double[d];
        var sq = new double[d];
        foreach (var (x, _) in rows)
            foreach (var (f, v) in x) { mean[f] += v; sq[f] += v * v; }
        var std = new double[d];
        for (var f = 0; f < d; f++)
        {
            mean[f] /= Math.Max(1, rows.Count);
            std[f] = Math.Sqrt(Math.Max(1e-12, sq[f] / Math.Max(1, rows.Count) - mean[f] * mean[f]));
        }
        var yMean = rows.Average(r => r.Y);
        var yStd = Math.Sqrt(Math.Max(1e-12, rows.Average(r => (r.Y - yMean) * (r.Y - yMean))));
        var w = new double[d];
        var g2 = new double[d];
        double b = 0, bg2 = 0;
        var order = Enumerable.Range(0, rows.Count).ToArray();
        var random = new Random(seed);
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            random.Shuffle(order);
            foreach (var i in order)
            {
                var (x, y) = rows[i];
                var pred = b;
                foreach (var (f, v) in x) pred += w[f] * (v - mean[f]) / std[f];
                var err = pred - (y - yMean) / yStd;
                foreach (var (f, v) in x)
                {
                    var grad = err * (v - mean[f]) / std[f] + l2 * w[f];
                    g2[f] += grad * grad;
                    w[f] -= learningRate * grad / Math.Sqrt(g2[f] + 1e-8);
                }
                bg2 += err * err;
                b -= learningRate * err / Math.Sqrt(bg2 + 1e-8);
            }
        }
        return new RidgeRegressionModel(featurizer, w, b, yMean, yStd, mean, std);
    }

    public override object?[] Predict(object?[] inputs, IReadOnlyList<Column> outputs)
    {
        var pred = bias;
        foreach (var (f, v) in featurizer.Features(inputs)) pred += w[f] * (v - fMean[f]) / fStd[f];
        return [ToOutput(pred * yStd + yMean, outputs[0])];
    }

    public override void Write(BinaryWriter writer)
    {
        writer.Write(featurizer.Dimension);
        WriteDoubles(writer, w);
        writer.Write(bias);
        writer.Write(yMean);
        writer.Write(yStd);
        WriteDoubles(writer, fMean);
        WriteDoubles(writer, fStd);
    }

    public static RidgeRegressionModel Read(BinaryReader r, IReadOnlyList<Column> inputs)
    {
        var dim = r.ReadInt32();
        var w = ReadDoubles(r);
        var b = r.ReadDouble();
        var ym = r.ReadDouble();
        var ys = r.ReadDouble();
        return new RidgeRegressionModel(new Featurizer(dim, inputs), w, b, ym, ys, ReadDoubles(r), ReadDoubles(r));
    }
}

/// <summary>
/// k-means clustering (Lloyd's algorithm) with k-means++ seeding (Arthur and Vassilvitskii, SODA 2007) from the seed,
/// on standardized hashed features; at most <c>local.max_iterations</c> rounds or until assignments stop changing.
/// Output: the 0-based index of the nearest centroid.
/// </summary>
internal sealed class KMeansModel(Featurizer featurizer, double[][] centroids, double[] mean, double[] std) : LocalModel
{
    private static double[] Dense(SortedDictionary<int, double> x, int d, double[] mean, double[] std)
    {
        var v = new double[d];
        for (var f = 0; f < d; f++) v[f] = -mean[f] / std[f];
        foreach (var (f, val) in x) v[f] = (val - mean[f]) / std[f];
        return v;
    }

    private static double Distance(double[] a, double[] b)
    {
        var s = 0.0;
        for (var i = 0; i < a.Length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return s;
    }

    public static KMeansModel Train(Featurizer featurizer, IReadOnlyList<SortedDictionary<int, double>> rows, int k, int maxIterations, int seed)
    {
        if (rows.Count < k) throw new OptionException($"k-means with local.k = {k} needs at least {k} training rows, got {rows.Count}");
        var d = featurizer.Dimension;
        var mean = new double[d];
        var sq = new double[d];
        foreach (var x in rows) foreach (var (f, v) in x) { mean[f] += v; sq[f] += v * v; }
        var std = new double[d];
        for (var f = 0; f < d; f++)
        {
            mean[f] /= rows.Count;
            std[f] = Math.Sqrt(Math.Max(1e-12, sq[f] / rows.Count - mean[f] * mean[f]));
        }
        var points = rows.Select(x => Dense(x, d, mean, std)).ToList();
        var random = new Random(seed);
        var centroids = new List<double[]> { (double[])points[random.Next(points.Count)].Clone() };
        while (centroids.Count < k)
        {
            var dist = points.Select(p => centroids.Min(c => Distance(p, c))).ToArray();
            var total = dist.Sum();
            var target = random.NextDouble() * total;
            var chosen = 0;
            for (var acc = 0.0; chosen < dist.Length - 1 && (acc += dist[chosen]) < target; chosen++) { }
            centroids.Add((double[])points[chosen].Clone());
        }
        var assignment = new int[points.Count];
        Array.Fill(assignment, -1);
        for (var iter = 0; iter < maxIterations; iter++)
        {
            var changed = false;
            for (var i = 0; i < points.Count; i++)
            {
                var best = 0;
                for (var c = 1; c < k; c++) if (Distance(points[i], centroids[c]) < Distance(points[i], centroids[best])) best = c;
                if (best != assignment[i]) { assignment[i] = best; changed = true; }
            }
            if (!changed) break;
            for (var c = 0; c < k; c++)
            {
                var members = points.Where((_, i) => assignment[i] == c).ToList();
                if (members.Count == 0) continue;
                for (var f = 0; f < d; f++) centroids[c][f] = members.Average(m => m[f]);
            }
        }
        return new KMeansModel(featurizer, centroids.ToArray(), mean, std);
    }

    public int Nearest(object?[] inputs)
    {
        var p = Dense(featurizer.Features(inputs), featurizer.Dimension, mean, std);
        var best = 0;
        for (var c = 1; c < centroids.Length; c++) if (Distance(p, centroids[c]) < Distance(p, centroids[best])) best = c;
        return best;
    }

    public override object?[] Predict(object?[] inputs, IReadOnlyList<Column> outputs) => [ToOutput(Nearest(inputs), outputs[0])];

    public override void Write(BinaryWriter writer)
    {
        writer.Write(featurizer.Dimension);
        writer.Write(centroids.Length);
        foreach (var c in centroids) WriteDoubles(writer, c);
        WriteDoubles(writer, mean);
        WriteDoubles(writer, std);
    }

    public static KMeansModel Read(BinaryReader r, IReadOnlyList<Column> inputs)
    {
        var dim = r.ReadInt32();
        var centroids = Enumerable.Range(0, r.ReadInt32()).Select(_ => ReadDoubles(r)).ToArray();
        return new KMeansModel(new Featurizer(dim, inputs), centroids, ReadDoubles(r), ReadDoubles(r));
    }
}

/// <summary>
/// Lexical embeddings: hashed TF-IDF vectors (Salton and Buckley, 1988; hashing as in <see cref="Featurizer"/>) of word
/// uni- and bigrams, <c>local.dimensions</c> long and L2-normalized, with inverse document frequencies
/// ln((1 + N) / (1 + df)) + 1 learnt from the rows of <c>AS SELECT</c> (1 everywhere without them). They capture shared
/// words, not meaning: "good" and "great" are unrelated to them.
/// </summary>
internal sealed class TfIdfEmbeddingModel(Featurizer featurizer, double[] idf) : LocalModel
{
    public static TfIdfEmbeddingModel Train(Featurizer featurizer, IReadOnlyList<string> documents)
    {
        var df = new double[featurizer.Dimension];
        foreach (var doc in documents)
            foreach (var bucket in featurizer.TermCounts(0, doc).Keys) df[bucket]++;
        var n = documents.Count;
        return new TfIdfEmbeddingModel(featurizer, df.Select(x => Math.Log((1.0 + n) / (1.0 + x)) + 1).ToArray());
    }

    public float[] Embed(string text)
    {
        var v = new double[featurizer.Dimension];
        foreach (var (bucket, count) in featurizer.TermCounts(0, text)) v[bucket] = (1 + Math.Log(count)) * idf[bucket];
        var norm = Math.Sqrt(v.Sum(x => x * x));
        return v.Select(x => (float)(norm == 0 ? 0 : x / norm)).ToArray();
    }

    public override object?[] Predict(object?[] inputs, IReadOnlyList<Column> outputs) =>
        [Embed(inputs[0] as string ?? ValueFormatter.Format(inputs[0])).Cast<object?>().ToArray()];

    public override void Write(BinaryWriter writer)
    {
        writer.Write(featurizer.Dimension);
        WriteDoubles(writer, idf);
    }

    public static TfIdfEmbeddingModel Read(BinaryReader r, IReadOnlyList<Column> inputs)
    {
        var dim = r.ReadInt32();
        return new TfIdfEmbeddingModel(new Featurizer(dim, inputs, charGrams: false), ReadDoubles(r));
    }
}
