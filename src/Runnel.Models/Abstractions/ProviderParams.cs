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
