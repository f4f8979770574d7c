using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Runnel.Core.Data;
using Runnel.Core.Errors;
using Runnel.Core.Types;

namespace Runnel.Sql.Functions;

public sealed partial class BuiltinFunctions
{
    // ------------------------------------------------------------------ numeric

    private void RegisterNumeric()
    {
        Add("ABS", args =>
        {
            Arity("ABS", args, 1);
            Require("ABS", args[0], args[0].IsNumeric, "a numeric value", 1);
            return new Signature([args[0]], args[0], a => a[0] switch
            {
                int i => Math.Abs(i),
                long l => Math.Abs(l),
                double d => Math.Abs(d),
                float f => Math.Abs(f),
                decimal m => Math.Abs(m),
                short s => Math.Abs(s),
                sbyte b => Math.Abs(b),
                _ => a[0],
            });
        });
        Add("ROUND", args =>
        {
            Arity("ROUND", args, 1, 2);
            Require("ROUND", args[0], args[0].IsNumeric, "a numeric value", 1);
            if (args.Count == 2) Require("ROUND", args[1], args[1].IsExactInteger, "an INT number of digits", 2);
            var t = args[0];
            var result = t.Kind == TypeKind.Decimal ? SqlType.Decimal(t.Precision, 0).WithNullable(t.IsNullable) : t;
            var types = args.Count == 2 ? new[] { t, SqlType.Int } : new[] { t };
            return new Signature(types, args.Count == 2 && t.Kind == TypeKind.Decimal ? t.WithNullable(AnyNullable(args)) : result.WithNullable(AnyNullable(args)), a =>
            {
                var digits = a.Length > 1 ? (int)a[1]! : 0;
                return a[0] switch
                {
                    double d => RoundHalfUp(d, digits),
                    float f => (float)RoundHalfUp(f, digits),
                    decimal m => digits >= 0 ? decimal.Round(m, Math.Min(digits, 28), MidpointRounding.AwayFromZero) : RoundDecimalNegative(m, digits),
                    int i => (int)RoundLong(i, digits),
                    long l => RoundLong(l, digits),
                    short s => (short)RoundLong(s, digits),
                    sbyte b => (sbyte)RoundLong(b, digits),
                    _ => a[0],
                };
            });
        });
        foreach (var (name, up) in new[] { ("FLOOR", false), ("CEIL", true), ("CEILING", true) })
        {
            Add(name, args =>
            {
                Arity(name, args, 1);
                Require(name, args[0], args[0].IsNumeric, "a numeric value", 1);
                var t = args[0];
                var result = t.Kind == TypeKind.Decimal ? SqlType.Decimal(t.Precision, 0).WithNullable(t.IsNullable) : t;
                return new Signature([t], result, a => a[0] switch
                {
                    double d => up ? Math.Ceiling(d) : Math.Floor(d),
                    float f => up ? MathF.Ceiling(f) : MathF.Floor(f),
                    decimal m => up ? decimal.Ceiling(m) : decimal.Floor(m),
                    _ => a[0],
                });
            });
        }
        Add("POWER", Fixed("POWER", SqlType.Double, [SqlType.Double, SqlType.Double], a => Math.Pow((double)a[0]!, (double)a[1]!)));
        Add("SQRT", Fixed("SQRT", SqlType.Double, [SqlType.Double], a => Math.Sqrt((double)a[0]!)));
        Add("LN", Fixed("LN", SqlType.Double, [SqlType.Double], a => Math.Log((double)a[0]!)));
        Add("LOG10", Fixed("LOG10", SqlType.Double, [SqlType.Double], a => Math.Log10((double)a[0]!)));
        Add("LOG2", Fixed("LOG2", SqlType.Double, [SqlType.Double], a => Math.Log2((double)a[0]!)));
        Add("LOG", Fixed("LOG", SqlType.Double, [SqlType.Double, SqlType.Double], a => a.Length == 1 ? Math.Log((double)a[0]!) : Math.Log((double)a[1]!) / Math.Log((double)a[0]!), optional: 1));
        Add("EXP", Fixed("EXP", SqlType.Double, [SqlType.Double], a => Math.Exp((double)a[0]!)));
        Add("SIN", Fixed("SIN", SqlType.Double, [SqlType.Double], a => Math.Sin((double)a[0]!)));
        Add("COS", Fixed("COS", SqlType.Double, [SqlType.Double], a => Math.Cos((double)a[0]!)));
        Add("TAN", Fixed("TAN", SqlType.Double, [SqlType.Double], a => Math.Tan((double)a[0]!)));
        Add("DEGREES", Fixed("DEGREES", SqlType.Double, [SqlType.Double], a => (double)a[0]! * 180 / Math.PI));
        Add("RADIANS", Fixed("RADIANS", SqlType.Double, [SqlType.Double], a => (double)a[0]! * Math.PI / 180));
        Add("PI", Fixed("PI", SqlType.Double.WithNullable(false), [], _ => Math.PI));
        Add("E", Fixed("E", SqlType.Double.WithNullable(false), [], _ => Math.E));
        Add("MOD", args => Arithmetic('%', args));
        Add("SIGN", args =>
        {
            Arity("SIGN", args, 1);
            Require("SIGN", args[0], args[0].IsNumeric, "a numeric value", 1);
            return new Signature([args[0]], args[0], a => a[0] switch
            {
                int i => Math.Sign(i),
                long l => (long)Math.Sign(l),
                double d => (double)Math.Sign(d),
                decimal m => (decimal)Math.Sign(m),
                _ => a[0],
            });
        });
        Add(new ScalarFunction("RAND", Fixed("RAND", SqlType.Double.WithNullable(false), [SqlType.Int], a => Random.Shared.NextDouble(), optional: 1), deterministic: false));
        Add(new ScalarFunction("UUID", Fixed("UUID", Str.WithNullable(false), [], _ => Guid.NewGuid().ToString()), deterministic: false));
    }

    private static double RoundHalfUp(double d, int digits)
    {
        if (double.IsNaN(d) || double.IsInfinity(d)) return d;
        var m = (decimal)0;
        try { m = (decimal)d; } catch (OverflowException) { return d; }
        return digits >= 0 ? (double)decimal.Round(m, Math.Min(digits, 28), MidpointRounding.AwayFromZero) : (double)RoundDecimalNegative(m, digits);
    }

    private static decimal RoundDecimalNegative(decimal m, int digits)
    {
        decimal f = 1;
        for (var i = 0; i < -digits; i++) f *= 10;
        return decimal.Round(m / f, 0, MidpointRounding.AwayFromZero) * f;
    }

    private static long RoundLong(long v, int digits) => digits >= 0 ? v : (long)RoundDecimalNegative(v, digits);

    // ------------------------------------------------------------------ conditional

    private void RegisterConditional()
    {
        Add("COALESCE", args =>
        {
            Arity("COALESCE", args, 1, int.MaxValue);
            var common = TypeCoercion.LeastRestrictive(args) ?? throw new FunctionArgumentException("COALESCE arguments have no common type: " + string.Join(", ", args));
            var nullable = args.All(t => t.IsNullable || t.Kind == TypeKind.Null);
            return new Signature(args.Select(_ => common).ToList(), common.WithNullable(nullable), a =>
            {
                foreach (var v in a)
                    if (v is not null) return v;
                return null;
            });
        }, strict: false);
        Add("IFNULL", args =>
        {
            Arity("IFNULL", args, 2);
            var common = TypeCoercion.LeastRestrictive(args) ?? throw new FunctionArgumentException("IFNULL arguments have no common type");
            return new Signature([common, common], common.WithNullable(args[1].IsNullable), a => a[0] ?? a[1]);
        }, strict: false);
        Add("NULLIF", args =>
        {
            Arity("NULLIF", args, 2);
            var common = TypeCoercion.LeastRestrictive(args) ?? throw new FunctionArgumentException("NULLIF arguments have no common type");
            return new Signature([common, common], args[0].WithNullable(true), a =>
                a[0] is not null && a[1] is not null && ValueComparer.Instance.Compare(a[0], a[1]) == 0 ? null : a[0]);
        }, strict: false);
        Add("IF", args =>
        {
            Arity("IF", args, 3);
            Require("IF", args[0], args[0].Kind is TypeKind.Boolean or TypeKind.Null, "BOOLEAN", 1);
            var common = TypeCoercion.LeastRestrictive([args[1], args[2]]) ?? throw new FunctionArgumentException("IF branches have no common type");
            return new Signature([SqlType.Boolean, common, common], common, a => a[0] is true ? a[1] : a[2]);
        }, strict: false);
        foreach (var (name, sign) in new[] { ("GREATEST", 1), ("LEAST", -1) })
        {
            Add(name, args =>
            {
                Arity(name, args, 1, int.MaxValue);
                var common = TypeCoercion.LeastRestrictive(args) ?? throw new FunctionArgumentException(name + " arguments have no common type");
                return new Signature(args.Select(_ => common).ToList(), common, a =>
                {
                    var best = a[0];
                    for (var i = 1; i < a.Length; i++)
                        if (ValueComparer.Instance.Compare(a[i], best) * sign > 0) best = a[i];
                    return best;
                });
            });
        }
    }

    // ------------------------------------------------------------------ time

    private DateTime LocalNow() => TimeZoneInfo.ConvertTimeFromUtc(DateTime.UtcNow, _zone);
    private DateTime ToLocal(DateTimeOffset instant) => TimeZoneInfo.ConvertTimeFromUtc(instant.UtcDateTime, _zone);
    private DateTimeOffset FromLocal(DateTime local) => new(TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), _zone), TimeSpan.Zero);

    private static DateTimeOffset TruncMs(DateTimeOffset d) => new(d.Ticks - d.Ticks % TimeSpan.TicksPerMillisecond, d.Offset);

    private void RegisterTime()
    {
        var ltz3 = SqlType.TimestampLtz(3).WithNullable(false);
        var ts3 = SqlType.Timestamp(3);
        Add(new ScalarFunction("CURRENT_TIMESTAMP", Fixed("CURRENT_TIMESTAMP", ltz3, [], _ => TruncMs(DateTimeOffset.UtcNow)), deterministic: false));
        Add(new ScalarFunction("NOW", Fixed("NOW", ltz3, [], _ => TruncMs(DateTimeOffset.UtcNow)), deterministic: false));
        Add(new ScalarFunction("CURRENT_ROW_TIMESTAMP", Fixed("CURRENT_ROW_TIMESTAMP", ltz3, [], _ => TruncMs(DateTimeOffset.UtcNow)), deterministic: false));
        Add(new ScalarFunction("PROCTIME", Fixed("PROCTIME", ltz3, [], _ => TruncMs(DateTimeOffset.UtcNow)), deterministic: false));
        Add(new ScalarFunction("LOCALTIMESTAMP", Fixed("LOCALTIMESTAMP", ts3.WithNullable(false), [], _ => LocalNow()), deterministic: false));
        Add(new ScalarFunction("CURRENT_DATE", Fixed("CURRENT_DATE", SqlType.Date.WithNullable(false), [], _ => DateOnly.FromDateTime(LocalNow())), deterministic: false));
        Add(new ScalarFunction("CURRENT_TIME", Fixed("CURRENT_TIME", SqlType.TimeOf(0).WithNullable(false), [], _ => TimeOnly.FromDateTime(LocalNow())), deterministic: false));
        Add(new ScalarFunction("LOCALTIME", Fixed("LOCALTIME", SqlType.TimeOf(0).WithNullable(false), [], _ => TimeOnly.FromDateTime(LocalNow())), deterministic: false));

        Add("TO_TIMESTAMP", Fixed("TO_TIMESTAMP", ts3, [Str, Str], a =>
        {
            try
            {
                return a.Length > 1 ? ParseWithJavaFormat((string)a[0]!, (string)a[1]!) : Casts.ParseTimestamp((string)a[0]!);
            }
            catch (FormatException) { return null; }
        }, optional: 1, mayReturnNull: true));
        Add("TO_DATE", Fixed("TO_DATE", SqlType.Date, [Str, Str], a =>
        {
            try
            {
                return DateOnly.FromDateTime(a.Length > 1 ? ParseWithJavaFormat((string)a[0]!, (string)a[1]!) : Casts.ParseTimestamp((string)a[0]!));
            }
            catch (FormatException) { return null; }
        }, optional: 1, mayReturnNull: true));
        Add("TO_TIMESTAMP_LTZ", args =>
        {
            Arity("TO_TIMESTAMP_LTZ", args, 1, 2);
            if (args[0].IsCharacter)
                return new Signature(args.Select(_ => Str).ToList(), SqlType.TimestampLtz(3), a =>
                    FromLocal(a.Length > 1 ? ParseWithJavaFormat((string)a[0]!, (string)a[1]!) : Casts.ParseTimestamp((string)a[0]!)));
            Require("TO_TIMESTAMP_LTZ", args[0], args[0].IsNumeric, "a numeric epoch value", 1);
            return new Signature(args.Count == 2 ? [SqlType.Double, SqlType.Int] : [SqlType.Double], SqlType.TimestampLtz(3).WithNullable(AnyNullable(args)), a =>
            {
                var precision = a.Length > 1 ? (int)a[1]! : 3;
                var v = (double)a[0]!;
                return precision == 0 ? DateTimeOffset.UnixEpoch.AddSeconds(v) : DateTimeOffset.UnixEpoch.AddMilliseconds(v);
            });
        });
        Add("FROM_UNIXTIME", Fixed("FROM_UNIXTIME", Str, [SqlType.BigInt, Str], a =>
        {
            var local = ToLocal(DateTimeOffset.FromUnixTimeSeconds((long)a[0]!));
            return local.ToString(a.Length > 1 ? JavaToNetFormat((string)a[1]!) : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        }, optional: 1));
        Add(new ScalarFunction("UNIX_TIMESTAMP", args =>
        {
            Arity("UNIX_TIMESTAMP", args, 0, 2);
            if (args.Count == 0) return new Signature([], SqlType.BigInt.WithNullable(false), _ => DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            for (var i = 0; i < args.Count; i++) Require("UNIX_TIMESTAMP", args[i], args[i].IsCharacter, "STRING", i + 1);
            return new Signature(args.Select(_ => Str).ToList(), SqlType.BigInt, a =>
            {
                try
                {
                    var local = a.Length > 1 ? ParseWithJavaFormat((string)a[0]!, (string)a[1]!) : Casts.ParseTimestamp((string)a[0]!);
                    return FromLocal(local).ToUnixTimeSeconds();
                }
                catch (FormatException) { return long.MinValue; }
            });
        }, deterministic: false));
        Add("DATE_FORMAT", args =>
        {
            Arity("DATE_FORMAT", args, 2);
            Require("DATE_FORMAT", args[1], args[1].IsCharacter, "a STRING format", 2);
            var t = args[0];
            Require("DATE_FORMAT", t, t.IsTimestamp || t.IsCharacter || t.Kind == TypeKind.Date, "a TIMESTAMP or STRING", 1);
            return new Signature([t, Str], Str.WithNullable(true), a =>
            {
                DateTime dt = a[0] switch
                {
                    DateTime d => d,
                    DateTimeOffset o => ToLocal(o),
                    DateOnly d => d.ToDateTime(TimeOnly.MinValue),
                    string s => Casts.ParseTimestamp(s),
                    _ => throw new EvaluationException("DATE_FORMAT: unsupported value"),
                };
                return dt.ToString(JavaToNetFormat((string)a[1]!), CultureInfo.InvariantCulture);
            });
        });
        Add("EXTRACT", args =>
        {
            Arity("EXTRACT", args, 2);
            return new Signature([Str, args[1]], SqlType.BigInt.WithNullable(args[1].IsNullable), a => Extract((string)a[0]!, a[1]!));
        });
        foreach (var unit in new[] { "YEAR", "QUARTER", "MONTH", "WEEK", "DAYOFYEAR", "DAYOFMONTH", "DAYOFWEEK", "HOUR", "MINUTE", "SECOND" })
        {
            var u = unit switch { "DAYOFMONTH" => "DAY", "DAYOFWEEK" => "DOW", "DAYOFYEAR" => "DOY", _ => unit };
            Add(unit, args =>
            {
                Arity(unit, args, 1);
                Require(unit, args[0], args[0].IsTemporal, "a DATE, TIME or TIMESTAMP", 1);
                return new Signature([args[0]], SqlType.BigInt.WithNullable(args[0].IsNullable), a => Extract(u, a[0]!));
            });
        }
    }

    private long Extract(string unit, object v)
    {
        DateTime dt = v switch
        {
            DateTime d => d,
            DateTimeOffset o => ToLocal(o),
            DateOnly d => d.ToDateTime(TimeOnly.MinValue),
            TimeOnly t => DateTime.MinValue.Add(t.ToTimeSpan()),
            TimeSpan ts => DateTime.MinValue.Add(ts.Duration()),
            _ => throw new EvaluationException($"EXTRACT: unsupported value {v}"),
        };
        return unit switch
        {
            "YEAR" => dt.Year,
            "QUARTER" => (dt.Month - 1) / 3 + 1,
            "MONTH" => dt.Month,
            "WEEK" => ISOWeek.GetWeekOfYear(dt),
            "DAY" => dt.Day,
            "DOW" => (int)dt.DayOfWeek + 1,
            "DOY" => dt.DayOfYear,
            "HOUR" => dt.Hour,
            "MINUTE" => dt.Minute,
            "SECOND" => dt.Second,
            "MILLISECOND" => dt.Second * 1000L + dt.Millisecond,
            "EPOCH" => v is DateTimeOffset o2 ? o2.ToUnixTimeSeconds() : new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)).ToUnixTimeSeconds(),
            _ => throw new EvaluationException($"EXTRACT: unsupported unit {unit}"),
        };
    }

    /// <summary>Translates a Java <c>SimpleDateFormat</c> pattern (Flink's date format syntax) to .NET's.</summary>
    public static string JavaToNetFormat(string java)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < java.Length; i++)
        {
            var c = java[i];
            if (c == '\'')
            {
                var end = java.IndexOf('\'', i + 1);
                if (end < 0) end = java.Length;
                sb.Append('\'').Append(java, i + 1, Math.Max(0, end - i - 1)).Append('\'');
                i = end;
                continue;
            }
            var run = 1;
            while (i + run < java.Length && java[i + run] == c) run++;
            sb.Append(c switch
            {
                'S' => new string('f', Math.Min(run, 7)),
                'E' => run >= 4 ? "dddd" : "ddd",
                'a' => "tt",
                'Z' or 'X' => "zzz",
                'y' or 'M' or 'd' or 'H' or 'h' or 'm' or 's' => new string(c, run),
                _ when char.IsLetter(c) => new string(c, run),
                _ => "\\" + string.Join("\\", Enumerable.Repeat(c, run)),
            });
            i += run - 1;
        }
        return sb.ToString();
    }

    private static DateTime ParseWithJavaFormat(string value, string javaFormat) =>
        DateTime.ParseExact(value.Trim(), JavaToNetFormat(javaFormat), CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces);

    // ------------------------------------------------------------------ collections

    private void RegisterCollections()
    {
        Add("CARDINALITY", args =>
        {
            Arity("CARDINALITY", args, 1);
            Require("CARDINALITY", args[0], args[0].Kind is TypeKind.Array or TypeKind.Map, "an ARRAY or MAP", 1);
            return new Signature([args[0]], SqlType.Int.WithNullable(args[0].IsNullable), a => a[0] is MapValue m ? m.Count : ((object?[])a[0]!).Length);
        });
        Add("ELEMENT", args =>
        {
            Arity("ELEMENT", args, 1);
            Require("ELEMENT", args[0], args[0].Kind is TypeKind.Array, "an ARRAY", 1);
            return new Signature([args[0]], args[0].Element!.WithNullable(true), a =>
            {
                var arr = (object?[])a[0]!;
                return arr.Length switch
                {
                    0 => null,
                    1 => arr[0],
                    _ => throw new EvaluationException("ELEMENT: the array has more than one element"),
                };
            });
        });
        Add("ARRAY_CONTAINS", args =>
        {
            Arity("ARRAY_CONTAINS", args, 2);
            Require("ARRAY_CONTAINS", args[0], args[0].Kind is TypeKind.Array, "an ARRAY", 1);
            return new Signature([args[0], args[0].Element!], SqlType.Boolean.WithNullable(args[0].IsNullable),
                a => ((object?[])a[0]!).Any(x => ValueComparer.Instance.Equals(x, a[1])));
        });
        Add("MAP_KEYS", args =>
        {
            Arity("MAP_KEYS", args, 1);
            Require("MAP_KEYS", args[0], args[0].Kind is TypeKind.Map, "a MAP", 1);
            return new Signature([args[0]], SqlType.Array(args[0].Element!).WithNullable(args[0].IsNullable), a => ((MapValue)a[0]!).Entries.Select(e => e.Key).ToArray());
        });
        Add("MAP_VALUES", args =>
        {
            Arity("MAP_VALUES", args, 1);
            Require("MAP_VALUES", args[0], args[0].Kind is TypeKind.Map, "a MAP", 1);
            return new Signature([args[0]], SqlType.Array(args[0].ValueType!).WithNullable(args[0].IsNullable), a => ((MapValue)a[0]!).Entries.Select(e => e.Value).ToArray());
        });
        Add(new ScalarFunction("ARRAY", args =>
        {
            if (args.Count == 0) throw new FunctionArgumentException("ARRAY[] needs at least one element");
            var el = TypeCoercion.LeastRestrictive(args) ?? throw new FunctionArgumentException("ARRAY elements have no common type: " + string.Join(", ", args));
            return new Signature(args.Select(_ => el).ToList(), SqlType.Array(el).WithNullable(false), a => a.ToArray());
        }, strict: false));
        Add(new ScalarFunction("MAP", args =>
        {
            if (args.Count == 0 || args.Count % 2 != 0) throw new FunctionArgumentException("MAP[] needs key, value pairs");
            var keys = TypeCoercion.LeastRestrictive(args.Where((_, i) => i % 2 == 0).ToList()) ?? throw new FunctionArgumentException("MAP keys have no common type");
            var values = TypeCoercion.LeastRestrictive(args.Where((_, i) => i % 2 == 1).ToList()) ?? throw new FunctionArgumentException("MAP values have no common type");
            return new Signature(args.Select((_, i) => i % 2 == 0 ? keys : values).ToList(), SqlType.Map(keys, values).WithNullable(false), a =>
            {
                var pairs = new List<KeyValuePair<object?, object?>>();
                for (var i = 0; i < a.Length; i += 2) pairs.Add(new(a[i], a[i + 1]));
                return new MapValue(pairs);
            });
        }, strict: false));
        Add(new ScalarFunction("ROW", args =>
            new Signature(args.ToList(), SqlType.Row(args.Select((t, i) => new RowField("EXPR$" + i, t)).ToList()).WithNullable(false), a => new RowValue(a.ToArray())), strict: false));
    }

    // ------------------------------------------------------------------ JSON

    private void RegisterJson()
    {
        Add("JSON_VALUE", Fixed("JSON_VALUE", Str, [Str, Str], a =>
        {
            var node = JsonPath((string)a[0]!, (string)a[1]!);
            return node is JsonValue v ? (v.TryGetValue<string>(out var s) ? s : v.ToJsonString()) : null;
        }, mayReturnNull: true));
        Add("JSON_QUERY", Fixed("JSON_QUERY", Str, [Str, Str], a =>
        {
            var node = JsonPath((string)a[0]!, (string)a[1]!);
            return node is JsonObject or JsonArray ? node.ToJsonString() : null;
        }, mayReturnNull: true));
        Add("JSON_EXISTS", Fixed("JSON_EXISTS", SqlType.Boolean, [Str, Str], a => JsonPath((string)a[0]!, (string)a[1]!) is not null));
        Add(new ScalarFunction("JSON_STRING", args =>
        {
            Arity("JSON_STRING", args, 1);
            return new Signature([args[0]], Str, a => a[0] is null ? null : ToJsonNode(a[0])?.ToJsonString());
        }, strict: false));
        foreach (var (name, absent) in new[] { ("JSON_ARRAY", true), ("JSON_ARRAY_NULL_ON_NULL", false) })
            Add(new ScalarFunction(name, args =>
                new Signature(args.ToList(), Str.WithNullable(false), a => new JsonArray(a.Where(v => !absent || v is not null).Select(ToJsonNode).ToArray()).ToJsonString()), strict: false));
        foreach (var (name, absent) in new[] { ("JSON_OBJECT", false), ("JSON_OBJECT_ABSENT_ON_NULL", true) })
            Add(new ScalarFunction(name, args =>
            {
                if (args.Count % 2 != 0) throw new FunctionArgumentException("JSON_OBJECT needs key, value pairs");
                for (var i = 0; i < args.Count; i += 2) Require("JSON_OBJECT", args[i], args[i].IsCharacter, "a STRING key", i + 1);
                return new Signature(args.ToList(), Str.WithNullable(false), a =>
                {
                    var o = new JsonObject();
                    for (var i = 0; i < a.Length; i += 2)
                        if (!absent || a[i + 1] is not null)
                            o[(string)(a[i] ?? throw new EvaluationException("JSON_OBJECT: a key is NULL"))] = ToJsonNode(a[i + 1]);
                    return o.ToJsonString();
                });
            }, strict: false));
    }

    private static JsonNode? ToJsonNode(object? v) => v switch
    {
        null => null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        float f => JsonValue.Create(f),
        decimal m => JsonValue.Create(m),
        short s => JsonValue.Create(s),
        sbyte b => JsonValue.Create(b),
        object?[] arr => new JsonArray(arr.Select(ToJsonNode).ToArray()),
        MapValue m => new JsonObject(m.Entries.Select(e => new KeyValuePair<string, JsonNode?>(ValueFormatter.Format(e.Key), ToJsonNode(e.Value)))),
        _ => JsonValue.Create(ValueFormatter.Format(v)),
    };

    /// <summary>Evaluates a JSON path in lax mode (<c>$</c>, <c>.name</c>, <c>['name']</c>, <c>[n]</c>); NULL when the
    /// text is not JSON or the path does not exist.</summary>
    private static JsonNode? JsonPath(string json, string path)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(json); }
        catch (JsonException) { return null; }
        var p = path.Trim();
        if (p.StartsWith("lax ", StringComparison.OrdinalIgnoreCase)) p = p[4..].Trim();
        else if (p.StartsWith("strict ", StringComparison.OrdinalIgnoreCase)) p = p[7..].Trim();
        if (!p.StartsWith('$')) return null;
        var i = 1;
        while (i < p.Length && node is not null)
        {
            if (p[i] == '.')
            {
                var start = ++i;
                while (i < p.Length && p[i] != '.' && p[i] != '[') i++;
                node = node is JsonObject o && o.TryGetPropertyValue(p[start..i], out var child) ? child : null;
            }
            else if (p[i] == '[')
            {
                var end = p.IndexOf(']', i);
                if (end < 0) return null;
                var inner = p[(i + 1)..end].Trim();
                i = end + 1;
                if (inner.Length > 1 && (inner[0] == '\'' || inner[0] == '"'))
                    node = node is JsonObject o && o.TryGetPropertyValue(inner[1..^1], out var child) ? child : null;
                else if (int.TryParse(inner, NumberStyles.Integer, CultureInfo.InvariantCulture, out var idx))
                    node = node is JsonArray arr && idx >= 0 && idx < arr.Count ? arr[idx] : null;
                else return null;
            }
            else return null;
        }
        return node;
    }
}
