using System.Globalization;
using System.Text;
using Runnel.Core.Types;

namespace Runnel.Core.Data;

/// <summary>Renders values as Flink prints them (the print connector and the SQL client): doubles as Java's
/// <c>Double.toString</c>, timestamps as <c>yyyy-MM-dd HH:mm:ss.fff</c> at their precision, arrays as <c>[a, b]</c>,
/// maps as <c>{k=v}</c>, rows as <c>(a, b)</c>, NULL as <c>NULL</c> (the SQL client shows <c>&lt;NULL&gt;</c>).</summary>
public static class ValueFormatter
{
    /// <summary><c>+I[v1, v2]</c>: the row kind and values, as the print connector writes them.</summary>
    public static string FormatChangelogRow(Row row)
    {
        var sb = new StringBuilder();
        sb.Append(row.Kind.ShortString()).Append('[');
        for (var i = 0; i < row.Values.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(Format(row.Values[i]));
        }
        return sb.Append(']').ToString();
    }

    /// <summary>A value as text, using <paramref name="type"/> for DECIMAL scale and timestamp precision; <paramref name="nullText"/> for NULL.</summary>
    public static string Format(object? value, SqlType? type = null, string nullText = "NULL") => value switch
    {
        null => nullText,
        string s => s,
        bool b => b ? "TRUE" : "FALSE",
        double d => FormatDouble(d),
        float f => FormatFloat(f),
        decimal m => FormatDecimal(m, type),
        DateTime dt => FormatTimestamp(dt, type?.Precision ?? 3),
        DateTimeOffset dto => FormatTimestamp(dto.UtcDateTime, type?.Precision ?? 3),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        TimeOnly t => t.ToString(type is { Precision: > 0 } ? "HH:mm:ss." + new string('f', Math.Min(7, type.Precision)) : "HH:mm:ss", CultureInfo.InvariantCulture),
        TimeSpan ts => FormatInterval(ts),
        byte[] bytes => "x'" + Convert.ToHexString(bytes).ToLowerInvariant() + "'",
        object?[] arr => "[" + string.Join(", ", arr.Select((v, _) => Format(v, type?.Element))) + "]",
        MapValue map => "{" + string.Join(", ", map.Entries.Select(e => Format(e.Key, type?.Element) + "=" + Format(e.Value, type?.ValueType))) + "}",
        RowValue row => "(" + string.Join(", ", row.Fields.Select((v, i) => Format(v, type is { Kind: TypeKind.Row } && i < type.Fields.Count ? type.Fields[i].Type : null))) + ")",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string FormatInterval(TimeSpan ts)
    {
        var sign = ts < TimeSpan.Zero ? "-" : "+";
        var a = ts.Duration();
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{a.Days} {a.Hours:00}:{a.Minutes:00}:{a.Seconds:00}.{a.Milliseconds:000}");
    }

    /// <summary><c>yyyy-MM-dd HH:mm:ss</c> with <paramref name="precision"/> fraction digits (at most 7).</summary>
    public static string FormatTimestamp(DateTime dt, int precision)
    {
        var p = Math.Clamp(precision, 0, 7);
        var fmt = p == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss." + new string('f', p);
        return dt.ToString(fmt, CultureInfo.InvariantCulture);
    }

    private static string FormatDecimal(decimal m, SqlType? type)
    {
        if (type is { Kind: TypeKind.Decimal }) return decimal.Round(m, type.Scale).ToString("F" + type.Scale, CultureInfo.InvariantCulture);
        return m.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Java's <c>Double.toString</c>: plain notation with at least one fraction digit for
    /// 10^-3 &lt;= |d| &lt; 10^7, computerized scientific notation (<c>1.0E7</c>) otherwise.</summary>
    public static string FormatDouble(double d)
    {
        if (double.IsNaN(d)) return "NaN";
        if (double.IsPositiveInfinity(d)) return "Infinity";
        if (double.IsNegativeInfinity(d)) return "-Infinity";
        if (d == 0) return 1 / d < 0 ? "-0.0" : "0.0";
        var abs = Math.Abs(d);
        if (abs >= 1e-3 && abs < 1e7)
        {
            var s = d.ToString("R", CultureInfo.InvariantCulture);
            if (s.Contains('E', StringComparison.Ordinal)) s = d.ToString("0.0################", CultureInfo.InvariantCulture);
            return s.Contains('.', StringComparison.Ordinal) ? s : s + ".0";
        }
        var r = d.ToString("0.0################E0", CultureInfo.InvariantCulture);
        return r;
    }

    private static string FormatFloat(float f)
    {
        if (float.IsNaN(f) || float.IsInfinity(f)) return FormatDouble(f);
        var abs = Math.Abs(f);
        if (f == 0) return "0.0";
        if (abs >= 1e-3f && abs < 1e7f)
        {
            var s = f.ToString("R", CultureInfo.InvariantCulture);
            return s.Contains('.', StringComparison.Ordinal) || s.Contains('E', StringComparison.Ordinal) ? s : s + ".0";
        }
        return f.ToString("0.0######E0", CultureInfo.InvariantCulture);
    }
}
