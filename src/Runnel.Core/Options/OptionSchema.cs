using System.Globalization;
using Runnel.Core.Errors;

namespace Runnel.Core.Options;

/// <summary>The value kinds an option may take.</summary>
public enum OptionType
{
    /// <summary>Any text.</summary>
    String,
    /// <summary>A 32-bit integer.</summary>
    Int,
    /// <summary>A 64-bit integer.</summary>
    Long,
    /// <summary><c>true</c> or <c>false</c>.</summary>
    Bool,
    /// <summary>A floating-point number.</summary>
    Double,
    /// <summary>A duration such as <c>1 s</c>, <c>500ms</c>, <c>10 min</c> or a plain number of milliseconds (Flink's
    /// <c>TimeUtils.parseDuration</c>).</summary>
    Duration,
    /// <summary>One of <see cref="OptionDef.AllowedValues"/>, compared case-insensitively.</summary>
    Enum,
}

/// <summary>One option of a connector, format or provider.</summary>
/// <param name="Key">Lower-case key, e.g. <c>path</c> or <c>csv.field-delimiter</c>. A key ending in <c>.*</c> is a
/// prefix that admits any suffix (<c>properties.*</c>).</param>
public sealed record OptionDef(string Key, OptionType Type, string Description, bool Required = false,
    string? Default = null, IReadOnlyList<string>? AllowedValues = null, bool IsSecret = false)
{
    /// <summary>True when the key ends in <c>.*</c>.</summary>
    public bool IsPrefix => Key.EndsWith(".*", StringComparison.Ordinal);
}

/// <summary>A set of option definitions that validates a WITH clause: unknown keys and bad values are errors that list
/// what is valid. Keys are matched case-insensitively, and <c>_</c> matches <c>-</c> only where the schema says so
/// through an alias.</summary>
public sealed class OptionSchema
{
    private readonly Dictionary<string, OptionDef> _byKey;

    /// <summary>A schema named <paramref name="owner"/> (for messages) with <paramref name="options"/>.</summary>
    public OptionSchema(string owner, IEnumerable<OptionDef> options)
    {
        Owner = owner;
        Options = options.ToList();
        _byKey = Options.Where(o => !o.IsPrefix).ToDictionary(o => o.Key, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>What the options belong to, for messages: <c>connector 'filesystem'</c>.</summary>
    public string Owner { get; }
    /// <summary>Every option definition.</summary>
    public IReadOnlyList<OptionDef> Options { get; }

    /// <summary>This schema's options followed by <paramref name="other"/>'s.</summary>
    public OptionSchema Merge(OptionSchema other) => new(Owner, Options.Concat(other.Options));

    /// <summary>The definition that admits <paramref name="key"/> (exact key first, then a prefix), or null.</summary>
    public OptionDef? Find(string key)
    {
        if (_byKey.TryGetValue(key, out var d)) return d;
        foreach (var o in Options)
            if (o.IsPrefix && key.StartsWith(o.Key[..^1], StringComparison.OrdinalIgnoreCase)) return o;
        return null;
    }

    /// <summary>Checks every key and value; throws <see cref="OptionException"/> naming the first bad one.</summary>
    public void Validate(IReadOnlyDictionary<string, string> values, Func<string, bool>? ignore = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var (key, value) in values)
        {
            if (ignore?.Invoke(key) == true) continue;
            var def = Find(key) ?? throw new OptionException(
                $"Unsupported option '{key}' for {Owner}. Supported options:\n" +
                string.Join("\n", Options.Select(o => "  " + o.Key).Order(StringComparer.Ordinal)));
            CheckValue(def, key, value);
        }
        foreach (var def in Options.Where(o => o.Required && !o.IsPrefix))
            if (!values.Keys.Any(k => string.Equals(k, def.Key, StringComparison.OrdinalIgnoreCase)))
                throw new OptionException($"Missing required option '{def.Key}' for {Owner}: {def.Description}");
    }

    private void CheckValue(OptionDef def, string key, string value)
    {
        var shown = def.IsSecret ? "******" : value;
        var ok = def.Type switch
        {
            OptionType.Int => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
            OptionType.Long => long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
            OptionType.Double => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
            OptionType.Bool => bool.TryParse(value, out _),
            OptionType.Duration => Durations.TryParse(value, out _),
            OptionType.Enum => def.AllowedValues!.Any(v => string.Equals(v, value, StringComparison.OrdinalIgnoreCase)),
            _ => true,
        };
        if (ok) return;
        var expected = def.Type switch
        {
            OptionType.Enum => "one of: " + string.Join(", ", def.AllowedValues!),
            OptionType.Duration => "a duration such as '10 s', '500 ms' or '1 min'",
            OptionType.Bool => "'true' or 'false'",
            _ => "a value of type " + def.Type.ToString().ToUpperInvariant(),
        };
        throw new OptionException($"Invalid value '{shown}' for option '{key}' of {Owner}: expected {expected}.");
    }
}

/// <summary>Typed access to validated options, with the schema's defaults.</summary>
public sealed class OptionReader(IReadOnlyDictionary<string, string> values, OptionSchema schema)
{
    /// <summary>The value of <paramref name="key"/> (case-insensitive), else the schema's default, else null.</summary>
    public string? GetString(string key)
    {
        foreach (var (k, v) in values)
            if (string.Equals(k, key, StringComparison.OrdinalIgnoreCase)) return v;
        return schema.Find(key)?.Default;
    }

    /// <summary>The value of <paramref name="key"/>; throws <see cref="OptionException"/> when absent.</summary>
    public string GetRequired(string key) => GetString(key) ?? throw new OptionException($"Missing required option '{key}' for {schema.Owner}.");
    /// <summary>True when the value is <c>true</c> (any case).</summary>
    public bool GetBool(string key) => bool.TryParse(GetString(key), out var b) && b;
    /// <summary>The value as an integer, or <paramref name="fallback"/>.</summary>
    public int GetInt(string key, int fallback = 0) => int.TryParse(GetString(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : fallback;
    /// <summary>The value as a long, or <paramref name="fallback"/>.</summary>
    public long GetLong(string key, long fallback = 0) => long.TryParse(GetString(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : fallback;
    /// <summary>The value as a double, or <paramref name="fallback"/>.</summary>
    public double GetDouble(string key, double fallback = 0) => double.TryParse(GetString(key), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : fallback;
    /// <summary>The value as a duration (<see cref="Durations"/>), or null.</summary>
    public TimeSpan? GetDuration(string key) => GetString(key) is { } s && Durations.TryParse(s, out var d) ? d : null;

    /// <summary>All keys under <paramref name="prefix"/> (e.g. <c>fields.</c>) with the prefix removed.</summary>
    public IEnumerable<KeyValuePair<string, string>> WithPrefix(string prefix) =>
        values.Where(kv => kv.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(kv => new KeyValuePair<string, string>(kv.Key[prefix.Length..], kv.Value));
}

/// <summary>Flink's duration syntax: a number followed by an optional unit (ms, s, min, h, d and their long forms);
/// no unit means milliseconds.</summary>
public static class Durations
{
    /// <summary>Parses a duration; false when <paramref name="text"/> is not one.</summary>
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        var s = text.Trim().ToLowerInvariant();
        var i = 0;
        while (i < s.Length && (char.IsDigit(s[i]) || s[i] == '.')) i++;
        if (i == 0 || !double.TryParse(s[..i], NumberStyles.Float, CultureInfo.InvariantCulture, out var n)) return false;
        var unit = s[i..].Trim();
        double? ms = unit switch
        {
            "" or "ms" or "milli" or "millis" or "millisecond" or "milliseconds" => n,
            "s" or "sec" or "secs" or "second" or "seconds" => n * 1000,
            "m" or "min" or "mins" or "minute" or "minutes" => n * 60_000,
            "h" or "hour" or "hours" => n * 3_600_000,
            "d" or "day" or "days" => n * 86_400_000,
            _ => null,
        };
        if (ms is null) return false;
        value = TimeSpan.FromMilliseconds(ms.Value);
        return true;
    }
}
