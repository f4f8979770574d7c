using System.Globalization;
using System.Text.Json.Nodes;

namespace Runnel.Models.Abstractions;

/// <summary>The <c>&lt;provider&gt;.params.*</c> options of a model version and how their string values become the
/// JSON values of a request field, the same for every provider.</summary>
public static class ProviderParams
{
    /// <summary>The params of <paramref name="version"/> for <paramref name="provider"/>: the name after
    /// <c>&lt;provider&gt;.params.</c> (lower-case) and the option's value.</summary>
    public static IEnumerable<(string Name, string Value)> Of(ModelVersionInfo version, string provider)
    {
        ArgumentNullException.ThrowIfNull(version);
        var prefix = provider + ".params.";
        return version.Options.Where(kv => kv.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(kv => (kv.Key[prefix.Length..].ToLowerInvariant(), kv.Value));
    }

    /// <summary>A param's JSON value: with <paramref name="list"/> an array of the comma-separated strings (stop
    /// sequences); otherwise an integer, a number, <c>true</c>/<c>false</c>, or else the string itself.</summary>
    public static JsonNode Value(string value, bool list = false)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (list) return new JsonArray(value.Split(',').Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());
        if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return JsonValue.Create(d);
        if (bool.TryParse(value, out var b)) return JsonValue.Create(b);
        return JsonValue.Create(value);
    }
}

/// <summary>How a provider's per-request caps cut a batch of rows into requests.</summary>
public static class ProviderBatches
{
    /// <summary>Tokens a text is estimated at before sending: one per 4 characters, at least one.</summary>
    public static int EstimateTokens(string? text) => text is null ? 0 : Math.Max(1, (text.Length + 3) / 4);

    /// <summary>Consecutive runs of <paramref name="inputs"/> of at most <paramref name="maxItems"/> rows and at most
    /// <paramref name="maxTokens"/> estimated tokens of their first value (a single row above the token cap goes alone;
    /// the provider then says it is too long). Used for OpenAI embeddings (2,048 inputs, 300,000 tokens) and Vertex
    /// text embeddings (250 texts, 20,000 tokens).</summary>
    public static IEnumerable<List<object?[]>> Split(IReadOnlyList<object?[]> inputs, int maxItems, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var current = new List<object?[]>();
        var tokens = 0;
        foreach (var row in inputs)
        {
            var t = EstimateTokens(row[0] as string);
            if (current.Count > 0 && (current.Count >= maxItems || tokens + t > maxTokens))
            {
                yield return current;
                current = [];
                tokens = 0;
            }
            current.Add(row);
            tokens += t;
        }
        if (current.Count > 0) yield return current;
    }
}
