using System.Globalization;
using Runnel.Core.Data;
using Runnel.Core.Errors;
using Runnel.Core.Types;

namespace Runnel.Sql.Functions;

public sealed partial class BuiltinFunctions
{
    private void RegisterOperators()
    {
        foreach (var op in new[] { '+', '-', '*', '/', '%' })
            Add(new ScalarFunction(op.ToString(), args => Arithmetic(op, args), display: FunctionDisplay.Infix));
        Add(new ScalarFunction("NEGATE", args =>
        {
            Arity("-", args, 1);
            Require("-", args[0], args[0].IsNumeric || args[0].Kind is TypeKind.IntervalDayTime or TypeKind.IntervalYearMonth, "a numeric value", 1);
            var t = args[0];
            return new Signature([t], t, a => a[0] switch
            {
                int i => -i,
                long l => -l,
                double d => -d,
                float f => -f,
                decimal m => -m,
                short s => (short)-s,
                sbyte b => (sbyte)-b,
                TimeSpan ts => -ts,
                _ => throw new EvaluationException("Cannot negate " + a[0]),
            });
        }, display: FunctionDisplay.Prefix, symbol: "-"));

        Compare("=", c => c == 0);
        Compare("<>", c => c != 0);
        Compare("<", c => c < 0);
        Compare("<=", c => c <= 0);
        Compare(">", c => c > 0);
        Compare(">=", c => c >= 0);

        Add(new ScalarFunction("AND", args => Logical("AND", args, a => ThreeValued(a, isAnd: true)), strict: false, display: FunctionDisplay.Infix));
        Add(new ScalarFunction("OR", args => Logical("OR", args, a => ThreeValued(a, isAnd: false)), strict: false, display: FunctionDisplay.Infix));
        Add(new ScalarFunction("NOT", args => Logical("NOT", args, a => !(bool)a[0]!), display: FunctionDisplay.Prefix));

        Add(new ScalarFunction("||", args =>
        {
            Arity("||", args, 2);
            for (var i = 0; i < 2; i++) Require("||", args[i], args[i].IsCharacter || args[i].Kind == TypeKind.Null, "STRING", i + 1);
            return new Signature([Str, Str], Str.WithNullable(AnyNullable(args)), a => (string)a[0]! + (string)a[1]!);
        }, display: FunctionDisplay.Infix));

        IsTest("IS NULL", v => v is null);
        IsTest("IS NOT NULL", v => v is not null);
        IsTest("IS TRUE", v => v is true);
        IsTest("IS NOT TRUE", v => v is not true);
        IsTest("IS FALSE", v => v is false);
        IsTest("IS NOT FALSE", v => v is not false);

        Add(new ScalarFunction("IS_DISTINCT_FROM", args => DistinctFrom(args, distinct: true), strict: false));
        Add(new ScalarFunction("IS_NOT_DISTINCT_FROM", args => DistinctFrom(args, distinct: false), strict: false));

        Add(new ScalarFunction("LIKE", args =>
        {
            Arity("LIKE", args, 2, 3);
            for (var i = 0; i < args.Count; i++) Require("LIKE", args[i], args[i].IsCharacter || args[i].Kind == TypeKind.Null, "STRING", i + 1);
            System.Text.RegularExpressions.Regex? last = null;
            string? lastPattern = null;
            return new Signature(args.Select(_ => Str).ToList(), SqlType.Boolean.WithNullable(AnyNullable(args)), a =>
            {
                var p = (string)a[1]!;
                if (p != lastPattern)
                {
                    last = LikeToRegex(p, a.Length > 2 ? ((string)a[2]!).FirstOrDefault() : null);
                    lastPattern = p;
                }
                return last!.IsMatch((string)a[0]!);
            });
        }, display: FunctionDisplay.Infix));

        Add(new ScalarFunction("IN", args =>
        {
            var common = TypeCoercion.LeastRestrictive(args) ??
                throw new FunctionArgumentException("IN list values must have a type comparable with " + args[0]);
            return new Signature(args.Select(_ => common).ToList(), SqlType.Boolean.WithNullable(AnyNullable(args)), a =>
            {
                if (a[0] is null) return null;
                var sawNull = false;
                for (var i = 1; i < a.Length; i++)
                {
                    if (a[i] is null) sawNull = true;
                    else if (ValueComparer.Instance.Compare(a[0], a[i]) == 0) return true;
                }
                return sawNull ? null : false;
            });
        }, strict: false));

        Add(new ScalarFunction("ITEM", args =>
        {
            Arity("[]", args, 2);
            if (args[0].Kind == TypeKind.Array)
            {
                Require("[]", args[1], args[1].IsExactInteger, "an integer index", 2);
                return new Signature([args[0], SqlType.Int], args[0].Element!.WithNullable(true), a =>
                {
                    var arr = (object?[])a[0]!;
                    var i = Convert.ToInt32(a[1], CultureInfo.InvariantCulture);
                    return i >= 1 && i <= arr.Length ? arr[i - 1] : null;
                });
            }
            if (args[0].Kind == TypeKind.Map)
            {
                var keyType = args[0].Element!;
                Require("[]", args[1], TypeCoercion.CanImplicitlyCast(args[1], keyType) || (args[1].IsCharacter && keyType.IsCharacter), keyType.ToString(), 2);
                return new Signature([args[0], keyType], args[0].ValueType!.WithNullable(true),
                    a => ((MapValue)a[0]!).TryGetValue(a[1], out var v) ? v : null);
            }
            throw new FunctionArgumentException($"[] applies to ARRAY or MAP values, not {args[0]}");
        }));
    }

    private void Compare(string name, Func<int, bool> test)
    {
        Add(new ScalarFunction(name, args =>
        {
            Arity(name, args, 2);
            var common = TypeCoercion.LeastRestrictive(args);
            if (common is null || common.Kind is TypeKind.Map)
                throw new FunctionArgumentException($"Cannot apply '{name}' to arguments of type '<{args[0].WithNullable(true)}> {name} <{args[1].WithNullable(true)}>'");
            var cmp = ValueComparer.Instance;
            return new Signature([common, common], SqlType.Boolean.WithNullable(AnyNullable(args)), a => test(cmp.Compare(a[0], a[1])));
        }, display: FunctionDisplay.Infix));
    }

    /// <summary>SQL's three-valued AND/OR: a deciding value (FALSE for AND, TRUE for OR) wins over NULL.</summary>
    public static object? ThreeValued(IEnumerable<object?> values, bool isAnd)
    {
        var sawNull = false;
        foreach (var v in values)
        {
            if (v is bool b && b != isAnd) return b;
            if (v is null) sawNull = true;
        }
        return sawNull ? null : isAnd;
    }

    private static Signature Logical(string name, IReadOnlyList<SqlType> args, ScalarInvoker impl)
    {
        for (var i = 0; i < args.Count; i++)
            Require(name, args[i], args[i].Kind is TypeKind.Boolean or TypeKind.Null, "BOOLEAN", i + 1);
        return new Signature(args.Select(_ => SqlType.Boolean).ToList(), SqlType.Boolean.WithNullable(AnyNullable(args)), impl);
    }

    private void IsTest(string name, Func<object?, bool> test)
    {
        Add(new ScalarFunction(name, args =>
        {
            Arity(name, args, 1);
            if (name.Contains("TRUE", StringComparison.Ordinal) || name.Contains("FALSE", StringComparison.Ordinal))
                Require(name, args[0], args[0].Kind is TypeKind.Boolean or TypeKind.Null, "BOOLEAN", 1);
            return new Signature([args[0]], SqlType.Boolean.WithNullable(false), a => test(a[0]));
        }, strict: false, display: FunctionDisplay.Postfix));
    }

    private static Signature DistinctFrom(IReadOnlyList<SqlType> args, bool distinct)
    {
        Arity("IS DISTINCT FROM", args, 2);
        var common = TypeCoercion.LeastRestrictive(args) ?? throw new FunctionArgumentException($"Cannot compare {args[0]} with {args[1]}");
        return new Signature([common, common], SqlType.Boolean.WithNullable(false),
            a => (ValueComparer.Instance.Compare(a[0], a[1]) != 0) == distinct);
    }

    private static Signature Arithmetic(char op, IReadOnlyList<SqlType> args)
    {
        Arity(op.ToString(), args, 2);
        var (l, r) = (args[0], args[1]);
        var nullable = AnyNullable(args);
        if (l.Kind == TypeKind.Null) l = r.IsNumeric ? r : SqlType.Int;
        if (r.Kind == TypeKind.Null) r = l.IsNumeric ? l : SqlType.Int;

        // Temporal arithmetic: TIMESTAMP/DATE +- INTERVAL, INTERVAL +- INTERVAL.
        if ((op is '+' or '-') && (l.IsTemporal || l.Kind is TypeKind.IntervalDayTime or TypeKind.IntervalYearMonth) &&
            r.Kind is TypeKind.IntervalDayTime or TypeKind.IntervalYearMonth)
        {
            var sign = op == '+' ? 1 : -1;
            return new Signature([l, r], l.WithNullable(nullable), a => AddInterval(a[0]!, a[1]!, sign));
        }
        if (op == '+' && l.Kind is TypeKind.IntervalDayTime or TypeKind.IntervalYearMonth && r.IsTemporal)
            return new Signature([l, r], r.WithNullable(nullable), a => AddInterval(a[1]!, a[0]!, 1));
        if (op == '*' && l.Kind == TypeKind.IntervalDayTime && r.IsNumeric)
            return new Signature([l, SqlType.Double], l.WithNullable(nullable), a => ((TimeSpan)a[0]!) * (double)a[1]!);

        if (!l.IsNumeric || !r.IsNumeric)
            throw new FunctionArgumentException($"Cannot apply '{op}' to arguments of type '<{args[0].WithNullable(true)}> {op} <{args[1].WithNullable(true)}>'. Supported form(s): '<NUMERIC> {op} <NUMERIC>'");

        if ((l.Kind == TypeKind.Decimal || r.Kind == TypeKind.Decimal) && l.Kind is not (TypeKind.Float or TypeKind.Double) && r.Kind is not (TypeKind.Float or TypeKind.Double))
        {
            var result = TypeCoercion.DecimalArithmetic(op, l, r).WithNullable(nullable);
            var lt = l.Kind == TypeKind.Decimal ? l : SqlType.Decimal(TypeCoercion.IntegerDigits(l.Kind), 0);
            var rt = r.Kind == TypeKind.Decimal ? r : SqlType.Decimal(TypeCoercion.IntegerDigits(r.Kind), 0);
            var scale = result.Scale;
            var precision = result.Precision;
            return new Signature([lt, rt], result, a =>
            {
                var x = (decimal)a[0]!;
                var y = (decimal)a[1]!;
                if (op is '/' or '%' && y == 0) throw new EvaluationException("Division by zero");
                var v = op switch { '+' => x + y, '-' => x - y, '*' => x * y, '/' => x / y, _ => x % y };
                try { return Casts.FitDecimal(v, precision, scale); }
                catch (OverflowException) { return null; }
            });
        }
        var common = TypeCoercion.LeastRestrictive([l.WithNullable(true), r.WithNullable(true)])!.WithNullable(nullable);
        if (op == '%' && common.IsExactInteger) common = r.WithNullable(nullable);
        var target = common.WithNullable(true);
        ScalarInvoker impl = target.Kind switch
        {
            TypeKind.Int => a =>
            {
                int x = (int)a[0]!, y = (int)a[1]!;
                return op switch
                {
                    '+' => unchecked(x + y),
                    '-' => unchecked(x - y),
                    '*' => unchecked(x * y),
                    '/' => y == 0 ? throw new EvaluationException("Division by zero (integer division of " + x + " by 0)") : x / y,
                    _ => y == 0 ? throw new EvaluationException("Division by zero") : x % y,
                };
            },
            TypeKind.BigInt => a =>
            {
                long x = (long)a[0]!, y = (long)a[1]!;
                return op switch
                {
                    '+' => unchecked(x + y),
                    '-' => unchecked(x - y),
                    '*' => unchecked(x * y),
                    '/' => y == 0 ? throw new EvaluationException("Division by zero (integer division of " + x + " by 0)") : x / y,
                    _ => y == 0 ? throw new EvaluationException("Division by zero") : x % y,
                };
            },
            TypeKind.SmallInt or TypeKind.TinyInt => a =>
            {
                var x = Convert.ToInt32(a[0], CultureInfo.InvariantCulture);
                var y = Convert.ToInt32(a[1], CultureInfo.InvariantCulture);
                if (op is '/' or '%' && y == 0) throw new EvaluationException("Division by zero");
                var v = op switch { '+' => x + y, '-' => x - y, '*' => x * y, '/' => x / y, _ => x % y };
                return target.Kind == TypeKind.SmallInt ? unchecked((short)v) : unchecked((sbyte)v);
            },
            TypeKind.Float => a =>
            {
                float x = (float)a[0]!, y = (float)a[1]!;
                return op switch { '+' => x + y, '-' => x - y, '*' => x * y, '/' => x / y, _ => x % y };
            },
            _ => a =>
            {
                double x = (double)a[0]!, y = (double)a[1]!;
                return op switch { '+' => x + y, '-' => x - y, '*' => x * y, '/' => x / y, _ => x % y };
            },
        };
        return new Signature([target, target], common, impl);
    }

    private static object AddInterval(object temporal, object interval, int sign)
    {
        return (temporal, interval) switch
        {
            (DateTime dt, TimeSpan ts) => dt + sign * ts,
            (DateTime dt, int months) => dt.AddMonths(sign * months),
            (DateTimeOffset dto, TimeSpan ts) => dto + sign * ts,
            (DateTimeOffset dto, int months) => dto.AddMonths(sign * months),
            (DateOnly d, TimeSpan ts) => d.AddDays((int)(sign * ts.TotalDays)),
            (DateOnly d, int months) => d.AddMonths(sign * months),
            (TimeOnly t, TimeSpan ts) => t.Add(sign * ts),
            (TimeSpan a, TimeSpan b) => a + sign * b,
            (int a, int b) => a + sign * b,
            _ => throw new EvaluationException($"Cannot add interval {interval} to {temporal}"),
        };
    }
}
