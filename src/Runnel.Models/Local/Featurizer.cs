using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Runnel.Core.Types;

namespace Runnel.Models.Local;

/// <summary>
/// Turns a model's input values into sparse feature vectors by the hashing trick (Weinberger et al., "Feature Hashing
/// for Large Scale Multitask Learning", ICML 2009): for STRING inputs, lower-cased word unigrams and bigrams and
/// character 3- to 5-grams, each hashed with 32-bit FNV-1a (stable across processes) into <see cref="Dimension"/>
/// buckets, weighted by sublinear term frequency 1 + ln(tf) and L2-normalized per column; numeric and boolean inputs
/// are one feature each with their value as it is (scaled by the trainer where the method needs it).
/// </summary>
internal sealed partial class Featurizer(int dimension, IReadOnlyList<Column> inputs, bool charGrams = true)
{
    public int Dimension { get; } = dimension;

    [GeneratedRegex(@"[\p{L}\p{N}']+", RegexOptions.CultureInvariant)]
    private static partial Regex Words();

    public static uint Hash(string text)
    {
        var h = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            h ^= b;
            h *= 16777619u;
        }
        return h;
    }

    private int Bucket(string feature) => (int)(Hash(feature) % (uint)Dimension);

    /// <summary>Sparse features of one row: bucket index → value (buckets sorted ascending).</summary>
    public SortedDictionary<int, double> Features(object?[] values)
    {
        var features = new SortedDictionary<int, double>();
        for (var c = 0; c < inputs.Count && c < values.Length; c++)
        {
            var v = values[c];
            if (v is null) continue;
            if (v is string s) AddText(features, c, s);
            else if (v is bool b) Add(features, Bucket($"{c}#num"), b ? 1 : 0);
            else if (v is object?[] arr)
                for (var i = 0; i < arr.Length; i++)
                    Add(features, Bucket($"{c}#{i}"), Convert.ToDouble(arr[i] ?? 0, CultureInfo.InvariantCulture));
            else Add(features, Bucket($"{c}#num"), Convert.ToDouble(v, CultureInfo.InvariantCulture));
        }
        return features;
    }

    /// <summary>Term counts of a text's n-grams per bucket, before weighting (for TF-IDF).</summary>
    public Dictionary<int, int> TermCounts(int column, string text)
    {
        var counts = new Dictionary<int, int>();
        var lower = text.ToLowerInvariant();
        var words = Words().Matches(lower).Select(m => m.Value).ToList();
        void Count(string gram)
        {
            var b = Bucket($"{column}|{gram}");
            counts[b] = counts.TryGetValue(b, out var n) ? n + 1 : 1;
        }
        for (var i = 0; i < words.Count; i++)
        {
            Count("w:" + words[i]);
            if (i + 1 < words.Count) Count("b:" + words[i] + " " + words[i + 1]);
        }
        if (charGrams)
        {
            var padded = " " + string.Join(' ', words) + " ";
            for (var n = 3; n <= 5; n++)
                for (var i = 0; i + n <= padded.Length; i++) Count("c:" + padded.Substring(i, n));
        }
        return counts;
    }

    private void AddText(SortedDictionary<int, double> features, int column, string text)
    {
        var counts = TermCounts(column, text);
        var norm = Math.Sqrt(counts.Values.Sum(n => Math.Pow(1 + Math.Log(n), 2)));
        if (norm == 0) return;
        foreach (var (bucket, n) in counts) Add(features, bucket, (1 + Math.Log(n)) / norm);
    }

    private static void Add(SortedDictionary<int, double> features, int bucket, double value) =>
        features[bucket] = features.TryGetValue(bucket, out var old) ? old + value : value;
}
