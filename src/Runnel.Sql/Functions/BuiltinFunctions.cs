using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Runnel.Core.Data;
using Runnel.Core.Errors;
using Runnel.Core.Types;

namespace Runnel.Sql.Functions;

/// <summary>
/// The built-in scalar functions and operators, by upper-case name, with Flink's argument rules, result types and NULL
/// semantics (a NULL argument gives NULL unless the function says otherwise). Time functions use the session time
/// zone (<c>table.local-time-zone</c>) given at construction.
/// </summary>
public sealed partial class BuiltinFunctions
{
    private readonly Dictionary<string, ScalarFunction> _functions = new(StringComparer.OrdinalIgnoreCase);
    private readonly TimeZoneInfo _zone;

    /// <summary>Every built-in function, with time functions in <paramref name="zone"/> (UTC by default).</summary>
    public BuiltinFunctions(TimeZoneInfo? zone = null)
    {
        _zone = zone ?? TimeZoneInfo.Utc;
        RegisterOperators();
        RegisterStrings();
        RegisterNumeric();
        RegisterConditional();
        RegisterTime();
        RegisterCollections();
        RegisterJson();
    }

    /// <summary>The function by name (case-insensitive).</summary>
    public bool TryGet(string name, out ScalarFunction function) => _functions.TryGetValue(name, out function!);
    /// <summary>Every function name.</summary>
    public IEnumerable<string> Names => _functions.Keys;
    /// <summary>The function by name; throws when unknown.</summary>
    public ScalarFunction Get(string name) => _functions[name];

    private void Add(ScalarFunction f) => _functions[f.Name] = f;

    private void Add(string name, Func<IReadOnlyList<SqlType>, Signature> resolve, bool strict = true, bool deterministic = true) =>
        Add(new ScalarFunction(name, resolve, strict, deterministic));

    private static readonly SqlType Str = SqlType.String;

    private static bool AnyNullable(IReadOnlyList<SqlType> types) => types.Any(t => t.IsNullable);

    private static void Arity(string name, IReadOnlyList<SqlType> args, int min, int max = -1)
    {
        var hi = max < 0 ? min : max;
        if (args.Count < min || args.Count > hi)
        {
            var expected = min == hi ? $"{min}" : hi == int.MaxValue ? $"at least {min}" : $"{min} to {hi}";
            throw new FunctionArgumentException($"{name} takes {expected} argument(s), got {args.Count}");
        }
    }

    private static void Require(string name, SqlType t, bool ok, string expected, int position)
    {
        if (!ok) throw new FunctionArgumentException($"{name} expects {expected} as argument {position}, got {t}");
    }

    /// <summary>Fixed signature: every argument is cast to the listed type (when implicitly castable); result nullable
    /// when any argument is or <paramref name="mayReturnNull"/>.</summary>
    private static Func<IReadOnlyList<SqlType>, Signature> Fixed(string name, SqlType ret, SqlType[] parameters, ScalarInvoker impl,
        int optional = 0, bool mayReturnNull = false) => args =>
    {
        Arity(name, args, parameters.Length - optional, parameters.Length);
        for (var i = 0; i < args.Count; i++)
            Require(name, args[i], TypeCoercion.CanImplicitlyCast(args[i], parameters[i]) ||
                (parameters[i].IsCharacter && args[i].IsCharacter), parameters[i].WithNullable(true).ToString(), i + 1);
        return new Signature(parameters.Take(args.Count).ToList(), ret.WithNullable(mayReturnNull || AnyNullable(args)), impl);
    };

    private static string S(object? v) => (string)v!;
    private static int I(object? v) => Convert.ToInt32(v, CultureInfo.InvariantCulture);
    private static long L(object? v) => Convert.ToInt64(v, CultureInfo.InvariantCulture);
    private static double D(object? v) => Convert.ToDouble(v, CultureInfo.InvariantCulture);

    // ------------------------------------------------------------------ strings

    private void RegisterStrings()
    {
        Add("CONCAT", args =>
        {
            Arity("CONCAT", args, 1, int.MaxValue);
            for (var i = 0; i < args.Count; i++) Require("CONCAT", args[i], args[i].IsCharacter || args[i].Kind == TypeKind.Null, "STRING", i + 1);
            return new Signature(args.Select(_ => Str).ToList(), Str.WithNullable(AnyNullable(args)), a => string.Concat(a.Select(S)));
        });
        Add("CONCAT_WS", args =>
        {
            Arity("CONCAT_WS", args, 2, int.MaxValue);
            for (var i = 0; i < args.Count; i++) Require("CONCAT_WS", args[i], args[i].IsCharacter || args[i].Kind == TypeKind.Null, "STRING", i + 1);
            return new Signature(args.Select(_ => Str).ToList(), Str.WithNullable(args[0].IsNullable),
                a => a[0] is null ? null : string.Join(S(a[0]), a.Skip(1).Where(x => x is not null).Select(S)));
        }, strict: false);
        Add("UPPER", Fixed("UPPER", Str, [Str], a => S(a[0]).ToUpperInvariant()));
        Add("LOWER", Fixed("LOWER", Str, [Str], a => S(a[0]).ToLowerInvariant()));
        Add("LTRIM", Fixed("LTRIM", Str, [Str], a => S(a[0]).TrimStart(' ')));
        Add("RTRIM", Fixed("RTRIM", Str, [Str], a => S(a[0]).TrimEnd(' ')));
        Add("TRIM_BOTH", Fixed("TRIM", Str, [Str, Str], a => S(a[1]).Trim(S(a[0]).ToCharArray())));
        Add("TRIM_LEADING", Fixed("TRIM", Str, [Str, Str], a => S(a[1]).TrimStart(S(a[0]).ToCharArray())));
        Add("TRIM_TRAILING", Fixed("TRIM", Str, [Str, Str], a => S(a[1]).TrimEnd(S(a[0]).ToCharArray())));
        Add("CHAR_LENGTH", Fixed("CHAR_LENGTH", SqlType.Int, [Str], a => S(a[0]).Length));
        Add("CHARACTER_LENGTH", Fixed("CHARACTER_LENGTH", SqlType.Int, [Str], a => S(a[0]).Length));
        Add("SUBSTRING", Fixed("SUBSTRING", Str, [Str, SqlType.Int, SqlType.Int], a => Substring(S(a[0]), I(a[1]), a.Length > 2 ? I(a[2]) : null), optional: 1));
        Add("SUBSTR", Fixed("SUBSTR", Str, [Str, SqlType.Int, SqlType.Int], a => Substring(S(a[0]), I(a[1]), a.Length > 2 ? I(a[2]) : null), optional: 1));
        Add("REPLACE", Fixed("REPLACE", Str, [Str, Str, Str], a => S(a[1]).Length == 0 ? S(a[0]) : S(a[0]).Replace(S(a[1]), S(a[2]), StringComparison.Ordinal)));
        Add("REGEXP_EXTRACT", Fixed("REGEXP_EXTRACT", Str, [Str, Str, SqlType.Int], a =>
        {
            var m = Rx(S(a[1])).Match(S(a[0]));
            var g = a.Length > 2 ? I(a[2]) : 0;
            return m.Success && g >= 0 && g < m.Groups.Count && m.Groups[g].Success ? m.Groups[g].Value : null;
        }, optional: 1, mayReturnNull: true));
        Add("REGEXP_REPLACE", Fixed("REGEXP_REPLACE", Str, [Str, Str, Str], a => Rx(S(a[1])).Replace(S(a[0]), S(a[2]))));
        Add("REGEXP", Fixed("REGEXP", SqlType.Boolean, [Str, Str], a => Rx(S(a[1])).IsMatch(S(a[0]))));
        Add("SPLIT_INDEX", Fixed("SPLIT_INDEX", Str, [Str, Str, SqlType.Int], a =>
        {
            var parts = S(a[0]).Split(S(a[1]));
            var i = I(a[2]);
            return i >= 0 && i < parts.Length ? parts[i] : null;
        }, mayReturnNull: true));
        Add("INITCAP", Fixed("INITCAP", Str, [Str], a => InitCap(S(a[0]))));
        Add("POSITION", Fixed("POSITION", SqlType.Int, [Str, Str], a => S(a[1]).IndexOf(S(a[0]), StringComparison.Ordinal) + 1));
        Add("LOCATE", Fixed("LOCATE", SqlType.Int, [Str, Str, SqlType.Int], a =>
        {
            var from = a.Length > 2 ? I(a[2]) : 1;
            var hay = S(a[1]);
            if (from < 1 || from > hay.Length + 1) return 0;
            return hay.IndexOf(S(a[0]), from - 1, StringComparison.Ordinal) + 1;
        }, optional: 1));
        Add("LPAD", Fixed("LPAD", Str, [Str, SqlType.Int, Str], a => Pad(S(a[0]), I(a[1]), S(a[2]), left: true), mayReturnNull: true));
        Add("RPAD", Fixed("RPAD", Str, [Str, SqlType.Int, Str], a => Pad(S(a[0]), I(a[1]), S(a[2]), left: false), mayReturnNull: true));
        Add("REVERSE", Fixed("REVERSE", Str, [Str], a => new string(S(a[0]).Reverse().ToArray())));
        Add("REPEAT", Fixed("REPEAT", Str, [Str, SqlType.Int], a => string.Concat(Enumerable.Repeat(S(a[0]), Math.Max(0, I(a[1]))))));
        Add("LEFT", Fixed("LEFT", Str, [Str, SqlType.Int], a => I(a[1]) <= 0 ? "" : S(a[0])[..Math.Min(I(a[1]), S(a[0]).Length)]));
        Add("RIGHT", Fixed("RIGHT", Str, [Str, SqlType.Int], a => I(a[1]) <= 0 ? "" : S(a[0])[Math.Max(0, S(a[0]).Length - I(a[1]))..]));
        Add("ASCII", Fixed("ASCII", SqlType.Int, [Str], a => S(a[0]).Length == 0 ? 0 : S(a[0])[0]));
        Add("CHR", Fixed("CHR", Str, [SqlType.Int], a => ((char)(I(a[0]) % 256)).ToString()));
        Add("MD5", Fixed("MD5", Str, [Str], a => Convert.ToHexString(System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes(S(a[0])))).ToLowerInvariant()));
        Add("SHA256", Fixed("SHA256", Str, [Str], a => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(S(a[0])))).ToLowerInvariant()));
        Add("TO_BASE64", Fixed("TO_BASE64", Str, [Str], a => Convert.ToBase64String(Encoding.UTF8.GetBytes(S(a[0])))));
        Add("FROM_BASE64", Fixed("FROM_BASE64", Str, [Str], a => Encoding.UTF8.GetString(Convert.FromBase64String(S(a[0])))));
        Add("SPLIT", Fixed("SPLIT", SqlType.Array(Str), [Str, Str], a => S(a[0]).Split(S(a[1])).Cast<object?>().ToArray()));
    }

    private static string? Substring(string s, int start, int? length)
    {
        // Flink: 1-based; 0 behaves as 1; a negative start counts from the end.
        var from = start > 0 ? start - 1 : start == 0 ? 0 : Math.Max(0, s.Length + start);
        if (length is < 0) return null;
        if (from >= s.Length) return "";
        var len = length is null ? s.Length - from : Math.Min(length.Value, s.Length - from);
        return s.Substring(from, len);
    }

    private static string? Pad(string s, int len, string pad, bool left)
    {
        if (len < 0) return null;
        if (len <= s.Length) return s[..len];
        if (pad.Length == 0) return s;
        var sb = new StringBuilder();
        while (sb.Length < len - s.Length) sb.Append(pad);
        var filler = sb.ToString()[..(len - s.Length)];
        return left ? filler + s : s + filler;
    }

    private static string InitCap(string s)
    {
        var chars = s.ToCharArray();
        var start = true;
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsLetterOrDigit(chars[i]))
            {
                chars[i] = start ? char.ToUpperInvariant(chars[i]) : char.ToLowerInvariant(chars[i]);
                start = false;
            }
            else start = true;
        }
        return new string(chars);
    }

    private static readonly Dictionary<string, Regex> RegexCache = new();

    private static Regex Rx(string pattern)
    {
        lock (RegexCache)
        {
            if (RegexCache.TryGetValue(pattern, out var r)) return r;
            try
            {
                r = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(5));
            }
            catch (ArgumentException e)
            {
                throw new EvaluationException($"Invalid regular expression '{pattern}': {e.Message}");
            }
            if (RegexCache.Count > 1000) RegexCache.Clear();
            RegexCache[pattern] = r;
            return r;
        }
    }

    /// <summary>Translates a SQL LIKE pattern (with <c>%</c>, <c>_</c> and an optional escape character) to a regex.</summary>
    public static Regex LikeToRegex(string pattern, char? escape)
    {
        var sb = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (escape is { } e && c == e && i + 1 < pattern.Length)
            {
                sb.Append(Regex.Escape(pattern[++i].ToString()));
                continue;
            }
            sb.Append(c switch { '%' => "[\\s\\S]*", '_' => "[\\s\\S]", _ => Regex.Escape(c.ToString()) });
        }
        sb.Append('$');
        return new Regex(sb.ToString(), RegexOptions.CultureInvariant);
    }
}
