using Runnel.Core.Types;

namespace Runnel.Sql.Functions;

/// <summary>Flink's implicit type rules: numeric widening (TINYINT &lt; SMALLINT &lt; INT &lt; BIGINT &lt; DECIMAL &lt;
/// FLOAT &lt; DOUBLE), character types to STRING, NULL to anything; and which explicit CASTs are valid.</summary>
public static class TypeCoercion
{
    private static int NumericRank(TypeKind k) => k switch
    {
        TypeKind.TinyInt => 1,
        TypeKind.SmallInt => 2,
        TypeKind.Int => 3,
        TypeKind.BigInt => 4,
        TypeKind.Decimal => 5,
        TypeKind.Float => 6,
        TypeKind.Double => 7,
        _ => 0,
    };

    /// <summary>Digits needed to hold every value of an integer kind, for mixing with DECIMAL.</summary>
    public static int IntegerDigits(TypeKind k) => k switch
    {
        TypeKind.TinyInt => 3,
        TypeKind.SmallInt => 5,
        TypeKind.Int => 10,
        _ => 19,
    };

    /// <summary>The common type of <paramref name="types"/> (nullable if any is), or null if there is none.</summary>
    public static SqlType? LeastRestrictive(IReadOnlyList<SqlType> types)
    {
        SqlType? result = null;
        var nullable = false;
        foreach (var t in types)
        {
            nullable |= t.IsNullable || t.Kind == TypeKind.Null;
            if (t.Kind == TypeKind.Null) continue;
            if (result is null) { result = t; continue; }
            result = Common(result, t);
            if (result is null) return null;
        }
        return (result ?? SqlType.Null).WithNullable(nullable || result is null);
    }

    private static SqlType? Common(SqlType a, SqlType b)
    {
        if (a.SameKindAs(b)) return a;
        if (a.IsNumeric && b.IsNumeric)
        {
            if (a.Kind == TypeKind.Decimal && b.Kind == TypeKind.Decimal)
            {
                var s = Math.Max(a.Scale, b.Scale);
                var i = Math.Max(a.Precision - a.Scale, b.Precision - b.Scale);
                return SqlType.Decimal(Math.Min(38, i + s), s);
            }
            if (a.Kind == TypeKind.Decimal && b.IsExactInteger) return SqlType.Decimal(Math.Min(38, Math.Max(a.Precision, IntegerDigits(b.Kind) + a.Scale)), a.Scale);
            if (b.Kind == TypeKind.Decimal && a.IsExactInteger) return Common(b, a);
            return NumericRank(a.Kind) >= NumericRank(b.Kind) ? a.WithNullable(true) : b.WithNullable(true);
        }
        if (a.IsCharacter && b.IsCharacter)
        {
            // Runnel decides: mixed CHAR/VARCHAR results are VARCHAR (no blank padding), see docs/sql-reference.md.
            var len = Math.Max(a.Precision, b.Precision);
            return len == SqlType.MaxLength ? SqlType.String : SqlType.VarChar(len);
        }
        if (a.Kind == b.Kind && a.Kind is TypeKind.Timestamp or TypeKind.TimestampLtz or TypeKind.Time)
            return a.Precision >= b.Precision ? a : b;
        if (a.Kind == TypeKind.Bytes && b.Kind == TypeKind.Bytes) return SqlType.Bytes;
        if (a.Kind == TypeKind.Array && b.Kind == TypeKind.Array)
            return Common(a.Element!, b.Element!) is { } el ? SqlType.Array(el) : null;
        if (a.Kind == TypeKind.Map && b.Kind == TypeKind.Map)
            return Common(a.Element!, b.Element!) is { } k && Common(a.ValueType!, b.ValueType!) is { } v ? SqlType.Map(k, v) : null;
        if (a.Kind == TypeKind.Row && b.Kind == TypeKind.Row && a.Fields.Count == b.Fields.Count)
        {
            var fields = new List<RowField>();
            for (var i = 0; i < a.Fields.Count; i++)
            {
                if (Common(a.Fields[i].Type, b.Fields[i].Type) is not { } ft) return null;
                fields.Add(new RowField(a.Fields[i].Name, ft));
            }
            return SqlType.Row(fields);
        }
        return null;
    }

    /// <summary>True when <paramref name="from"/> converts to <paramref name="to"/> without an explicit CAST (for
    /// function arguments and INSERT columns).</summary>
    public static bool CanImplicitlyCast(SqlType from, SqlType to)
    {
        if (from.Kind == TypeKind.Null || from.SameKindAs(to)) return true;
        if (from.IsNumeric && to.IsNumeric) return NumericRank(from.Kind) <= NumericRank(to.Kind) || to.Kind == TypeKind.Decimal;
        if (from.IsCharacter && to.IsCharacter) return true;
        if (from.Kind == to.Kind && from.Kind is TypeKind.Timestamp or TypeKind.TimestampLtz or TypeKind.Time or TypeKind.Bytes) return true;
        if (from.Kind == TypeKind.Array && to.Kind == TypeKind.Array) return CanImplicitlyCast(from.Element!, to.Element!);
        if (from.Kind == TypeKind.Map && to.Kind == TypeKind.Map) return CanImplicitlyCast(from.Element!, to.Element!) && CanImplicitlyCast(from.ValueType!, to.ValueType!);
        if (from.Kind == TypeKind.Row && to.Kind == TypeKind.Row && from.Fields.Count == to.Fields.Count)
            return from.Fields.Zip(to.Fields).All(p => CanImplicitlyCast(p.First.Type, p.Second.Type));
        return false;
    }

    /// <summary>True when <c>CAST(from AS to)</c> is valid (it may still fail on a value at run time).</summary>
    public static bool CanCast(SqlType from, SqlType to)
    {
        if (CanImplicitlyCast(from, to)) return true;
        var f = from.Kind;
        var t = to.Kind;
        if (from.IsCharacter || to.IsCharacter)
            return f is not (TypeKind.Array or TypeKind.Map or TypeKind.Row) || to.IsCharacter;
        if (from.IsNumeric && (to.IsNumeric || t == TypeKind.Boolean || to.IsTimestamp)) return true;
        if (f == TypeKind.Boolean && to.IsNumeric) return true;
        if (from.IsTimestamp && (to.IsTimestamp || t is TypeKind.Date or TypeKind.Time || to.IsNumeric)) return true;
        if (f == TypeKind.Date && to.IsTimestamp) return true;
        if (f == TypeKind.Bytes && t == TypeKind.Bytes) return true;
        if (f == TypeKind.Array && t == TypeKind.Array) return CanCast(from.Element!, to.Element!);
        if (f == TypeKind.Map && t == TypeKind.Map) return CanCast(from.Element!, to.Element!) && CanCast(from.ValueType!, to.ValueType!);
        if (f == TypeKind.Row && t == TypeKind.Row && from.Fields.Count == to.Fields.Count)
            return from.Fields.Zip(to.Fields).All(p => CanCast(p.First.Type, p.Second.Type));
        return false;
    }

    /// <summary>Result type of DECIMAL arithmetic, following Flink's LogicalTypeMerging.</summary>
    public static SqlType DecimalArithmetic(char op, SqlType a, SqlType b)
    {
        int p1 = a.Kind == TypeKind.Decimal ? a.Precision : IntegerDigits(a.Kind), s1 = a.Kind == TypeKind.Decimal ? a.Scale : 0;
        int p2 = b.Kind == TypeKind.Decimal ? b.Precision : IntegerDigits(b.Kind), s2 = b.Kind == TypeKind.Decimal ? b.Scale : 0;
        int p, s;
        switch (op)
        {
            case '+':
            case '-':
                s = Math.Max(s1, s2);
                p = Math.Max(p1 - s1, p2 - s2) + s + 1;
                break;
            case '*':
                p = p1 + p2;
                s = s1 + s2;
                break;
            case '/':
                s = Math.Max(6, s1 + p2 + 1);
                p = p1 - s1 + s2 + s;
                break;
            default:
                s = Math.Max(s1, s2);
                p = Math.Min(p1 - s1, p2 - s2) + s;
                break;
        }
        if (p > 38)
        {
            // Keep the integral digits and at least 6 fraction digits, as Flink's adjustPrecisionScale.
            var intDigits = p - s;
            s = Math.Max(Math.Min(s, 6), 38 - intDigits);
            s = Math.Min(s, 38);
            p = 38;
            if (s > p) s = p;
        }
        return SqlType.Decimal(p, s);
    }
}
