using System.Globalization;
using Runnel.Core.Data;
using Runnel.Core.Errors;
using Runnel.Core.Types;

namespace Runnel.Sql.Functions;

/// <summary>Value conversions for CAST, TRY_CAST and implicit widening. A caster takes a non-null value of the source
/// type's CLR representation. On a value that does not convert, CAST throws <see cref="EvaluationException"/> naming
/// the value and the type (as Flink fails the job), TRY_CAST returns NULL.</summary>
public static class Casts
{
    /// <summary>A converter from <paramref name="from"/> to <paramref name="to"/> for non-null values.</summary>
    public static Func<object, object?> Create(SqlType from, SqlType to, bool isTry)
    {
        var inner = CreateInner(from, to);
        if (isTry)
        {
            return v =>
            {
                try { return inner(v); }
                catch (Exception e) when (e is FormatException or OverflowException or EvaluationException or ArgumentException) { return null; }
            };
        }
        return v =>
        {
            try { return inner(v); }
            catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
            {
                throw new EvaluationException($"Cannot cast '{ValueFormatter.Format(v, from)}' of type {from.WithNullable(true)} to {to.WithNullable(true)}.");
            }
        };
    }

    private static Func<object, object?> CreateInner(SqlType from, SqlType to)
    {
        if (from.Kind == TypeKind.Null) return _ => null;
        if (from.SameKindAs(to)) return v => v;
        switch (to.Kind)
        {
            case TypeKind.VarChar:
            case TypeKind.Char:
                var len = to.Precision;
                Func<object, string> fmt = from.IsCharacter ? v => (string)v : v => ValueFormatter.Format(v, from);
                if (to.Kind == TypeKind.Char && from.IsCharacter) return v => PadOrCut(fmt(v), len, pad: false);
                return len == SqlType.MaxLength ? v => fmt(v) : v => PadOrCut(fmt(v), len, pad: false);
            case TypeKind.Boolean:
                if (from.IsCharacter) return v => ParseBool((string)v);
                if (from.IsNumeric) return v => Convert.ToDouble(v, CultureInfo.InvariantCulture) != 0;
                break;
            case TypeKind.TinyInt: return Numeric(from, v => checked((sbyte)ToLongTruncating(v)), s => sbyte.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture));
            case TypeKind.SmallInt: return Numeric(from, v => checked((short)ToLongTruncating(v)), s => short.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture));
            case TypeKind.Int: return Numeric(from, v => checked((int)ToLongTruncating(v)), s => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture));
            case TypeKind.BigInt: return Numeric(from, v => ToLongTruncating(v), s => long.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture));
            case TypeKind.Float: return Numeric(from, v => Convert.ToSingle(v, CultureInfo.InvariantCulture), s => float.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture));
            case TypeKind.Double: return Numeric(from, v => Convert.ToDouble(v, CultureInfo.InvariantCulture), s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture));
            case TypeKind.Decimal:
            {
                var p = to.Precision;
                var s = to.Scale;
                return Numeric(from, v => FitDecimal(Convert.ToDecimal(v is bool b ? (b ? 1 : 0) : v, CultureInfo.InvariantCulture), p, s),
                    str => FitDecimal(decimal.Parse(str, NumberStyles.Float, CultureInfo.InvariantCulture), p, s));
            }
            case TypeKind.Date:
                if (from.IsCharacter) return v => DateOnly.ParseExact(((string)v).Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture);
                if (from.Kind == TypeKind.Timestamp) return v => DateOnly.FromDateTime((DateTime)v);
                if (from.Kind == TypeKind.TimestampLtz) return v => DateOnly.FromDateTime(((DateTimeOffset)v).UtcDateTime);
                break;
            case TypeKind.Time:
                if (from.IsCharacter) return v => TimeOnly.Parse(((string)v).Trim(), CultureInfo.InvariantCulture);
                if (from.Kind == TypeKind.Timestamp) return v => TimeOnly.FromDateTime((DateTime)v);
                break;
            case TypeKind.Timestamp:
                if (from.IsCharacter) return v => ParseTimestamp((string)v);
                if (from.Kind == TypeKind.Date) return v => ((DateOnly)v).ToDateTime(TimeOnly.MinValue);
                if (from.Kind == TypeKind.TimestampLtz) return v => ((DateTimeOffset)v).UtcDateTime;
                if (from.IsNumeric) return v => DateTime.UnixEpoch.AddSeconds(Convert.ToDouble(v, CultureInfo.InvariantCulture));
                break;
            case TypeKind.TimestampLtz:
                if (from.IsCharacter) return v => new DateTimeOffset(DateTime.SpecifyKind(ParseTimestamp((string)v), DateTimeKind.Utc));
                if (from.Kind == TypeKind.Timestamp) return v => new DateTimeOffset(DateTime.SpecifyKind((DateTime)v, DateTimeKind.Utc));
                if (from.Kind == TypeKind.Date) return v => new DateTimeOffset(((DateOnly)v).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
                if (from.IsNumeric) return v => DateTimeOffset.UnixEpoch.AddSeconds(Convert.ToDouble(v, CultureInfo.InvariantCulture));
                break;
            case TypeKind.Bytes:
                if (from.IsCharacter) return v => System.Text.Encoding.UTF8.GetBytes((string)v);
                break;
            case TypeKind.Array when from.Kind == TypeKind.Array:
            {
                var el = Create(from.Element!, to.Element!, false);
                return v => ((object?[])v).Select(x => x is null ? null : el(x)).ToArray();
            }
            case TypeKind.Map when from.Kind == TypeKind.Map:
            {
                var k = Create(from.Element!, to.Element!, false);
                var val = Create(from.ValueType!, to.ValueType!, false);
                return v => new MapValue(((MapValue)v).Entries.Select(e => new KeyValuePair<object?, object?>(e.Key is null ? null : k(e.Key), e.Value is null ? null : val(e.Value))));
            }
            case TypeKind.Row when from.Kind == TypeKind.Row:
            {
                var fs = from.Fields.Zip(to.Fields).Select(p => Create(p.First.Type, p.Second.Type, false)).ToArray();
                return v =>
                {
                    var src = ((RowValue)v).Fields;
                    var dst = new object?[fs.Length];
                    for (var i = 0; i < fs.Length; i++) dst[i] = src[i] is null ? null : fs[i](src[i]!);
                    return new RowValue(dst);
                };
            }
        }
        if (from.IsTimestamp && to.IsNumeric)
        {
            var toNum = CreateInner(SqlType.BigInt, to);
            return v => toNum(v is DateTimeOffset dto ? dto.ToUnixTimeSeconds() : new DateTimeOffset(DateTime.SpecifyKind((DateTime)v, DateTimeKind.Utc)).ToUnixTimeSeconds());
        }
        throw new FunctionArgumentException($"Cast from {from} to {to} is not supported");
    }

    private static Func<object, object?> Numeric(SqlType from, Func<object, object> fromNumber, Func<string, object> fromString)
    {
        if (from.IsCharacter) return v => fromString(((string)v).Trim());
        if (from.Kind == TypeKind.Boolean) return v => fromNumber((bool)v ? 1 : 0);
        return fromNumber;
    }

    private static long ToLongTruncating(object v) => v switch
    {
        double d when double.IsNaN(d) => 0,
        double d => d >= long.MaxValue ? long.MaxValue : d <= long.MinValue ? long.MinValue : (long)d,
        float f => (long)f,
        decimal m => (long)decimal.Truncate(m),
        bool b => b ? 1 : 0,
        _ => Convert.ToInt64(v, CultureInfo.InvariantCulture),
    };

    /// <summary>Rounds half-up to the scale; a value with more integral digits than the type allows is an error
    /// (Flink gives NULL for decimal overflow in a CAST; Runnel reports it under CAST and gives NULL under TRY_CAST).</summary>
    public static decimal FitDecimal(decimal d, int precision, int scale)
    {
        var r = decimal.Round(d, Math.Min(scale, 28), MidpointRounding.AwayFromZero);
        var limit = precision - scale >= 29 ? decimal.MaxValue : Pow10(precision - scale);
        if (Math.Abs(r) >= limit) throw new OverflowException($"{d} does not fit DECIMAL({precision}, {scale})");
        return r;
    }

    private static decimal Pow10(int n)
    {
        decimal r = 1;
        for (var i = 0; i < n; i++) r *= 10;
        return r;
    }

    private static string PadOrCut(string s, int len, bool pad) =>
        s.Length > len ? s[..len] : pad ? s.PadRight(len) : s;

    /// <summary>Text to BOOLEAN as Flink reads it.</summary>
    public static bool ParseBool(string s) => TextValues.ParseBool(s);

    /// <summary>Parses <c>yyyy-MM-dd HH:mm:ss[.fffffffff]</c>, ISO-8601 with <c>T</c> and optional <c>Z</c>, or a date.</summary>
    public static DateTime ParseTimestamp(string s) => TextValues.ParseTimestamp(s);
}
