using System.Globalization;
using Runnel.Core.Types;

namespace Runnel.Core.Data;

/// <summary>Parses text into runtime values of a SQL type, the way Flink's CSV format and string casts read them:
/// numbers in invariant culture, booleans as true/false (also t/f, yes/no, 1/0), timestamps as
/// <c>yyyy-MM-dd HH:mm:ss[.f..]</c> or ISO-8601. Throws <see cref="FormatException"/> with the reason.</summary>
public static class TextValues
{
    private static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd",
    ];

    /// <summary>Parses <paramref name="text"/> as <paramref name="type"/>; TIMESTAMP_LTZ text without an offset is read in <paramref name="zone"/> (UTC by default). Throws <see cref="FormatException"/> naming the value and type.</summary>
    public static object Parse(string text, SqlType type, TimeZoneInfo? zone = null)
    {
        var inv = CultureInfo.InvariantCulture;
        var s = type.IsCharacter ? text : text.Trim();
        try
        {
            return type.Kind switch
            {
                TypeKind.Char or TypeKind.VarChar => text,
                TypeKind.Boolean => ParseBool(s),
                TypeKind.TinyInt => sbyte.Parse(s, NumberStyles.Integer, inv),
                TypeKind.SmallInt => short.Parse(s, NumberStyles.Integer, inv),
                TypeKind.Int => int.Parse(s, NumberStyles.Integer, inv),
                TypeKind.BigInt => long.Parse(s, NumberStyles.Integer, inv),
                TypeKind.Float => float.Parse(s, NumberStyles.Float, inv),
                TypeKind.Double => double.Parse(s, NumberStyles.Float, inv),
                TypeKind.Decimal => decimal.Round(decimal.Parse(s, NumberStyles.Float, inv), type.Scale, MidpointRounding.AwayFromZero),
                TypeKind.Date => DateOnly.ParseExact(s, "yyyy-MM-dd", inv),
                TypeKind.Time => TimeOnly.Parse(s, inv),
                TypeKind.Timestamp => ParseTimestamp(s),
                TypeKind.TimestampLtz => ParseInstant(s, zone ?? TimeZoneInfo.Utc),
                TypeKind.Bytes => Convert.FromBase64String(s),
                _ => throw new FormatException($"type {type} cannot be read from text"),
            };
        }
        catch (OverflowException)
        {
            throw new FormatException($"'{text}' is out of range for {type.WithNullable(true)}");
        }
        catch (FormatException e) when (!e.Message.StartsWith('\''))
        {
            throw new FormatException($"'{text}' is not a valid {type.WithNullable(true)}");
        }
    }

    /// <summary>TRUE, T, YES, Y, 1 or FALSE, F, NO, N, 0 (any case); throws <see cref="FormatException"/> otherwise.</summary>
    public static bool ParseBool(string s) => s.Trim().ToUpperInvariant() switch
    {
        "TRUE" or "T" or "YES" or "Y" or "1" => true,
        "FALSE" or "F" or "NO" or "N" or "0" => false,
        _ => throw new FormatException($"'{s}' is not a BOOLEAN"),
    };

    /// <summary>Parses <c>yyyy-MM-dd HH:mm:ss[.fffffffff]</c> or ISO-8601 (an offset or <c>Z</c> is converted to UTC).</summary>
    public static DateTime ParseTimestamp(string s)
    {
        s = TrimFraction(s.Trim());
        if (DateTime.TryParseExact(s, TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var dt))
            return DateTime.SpecifyKind(dt, DateTimeKind.Unspecified);
        if (DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var dto))
            return DateTime.SpecifyKind(dto.UtcDateTime, DateTimeKind.Unspecified);
        throw new FormatException($"'{s}' is not a TIMESTAMP (expected yyyy-MM-dd HH:mm:ss[.SSS] or ISO-8601)");
    }

    /// <summary>An instant: text with an offset or <c>Z</c> as given, otherwise local time in <paramref name="zone"/>.</summary>
    public static DateTimeOffset ParseInstant(string s, TimeZoneInfo zone)
    {
        s = TrimFraction(s.Trim());
        var hasOffset = s.EndsWith('Z') || s.EndsWith('z') || (s.Length > 19 && (s[^6] is '+' or '-') && s[^3] == ':');
        if (hasOffset && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var dto))
            return dto.ToUniversalTime();
        var local = ParseTimestamp(s);
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone), TimeSpan.Zero);
    }

    /// <summary>.NET keeps 7 fraction digits; Flink's TIMESTAMP(9) text may have 9.</summary>
    private static string TrimFraction(string s)
    {
        var dot = s.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0) return s;
        var end = dot + 1;
        while (end < s.Length && char.IsDigit(s[end])) end++;
        return end - dot - 1 > 7 ? s[..(dot + 8)] + s[end..] : s;
    }
}
