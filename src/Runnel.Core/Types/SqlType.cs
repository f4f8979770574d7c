using System.Text;

namespace Runnel.Core.Types;

/// <summary>The logical type roots of Flink SQL that Runnel supports.</summary>
public enum TypeKind
{
    Null,
    Boolean,
    TinyInt,
    SmallInt,
    Int,
    BigInt,
    Float,
    Double,
    Decimal,
    Char,
    VarChar,
    Date,
    Time,
    Timestamp,
    TimestampLtz,
    Bytes,
    IntervalDayTime,
    IntervalYearMonth,
    Array,
    Map,
    Row,
    /// <summary>A descriptor, table or model argument of a table-valued function; never a column type.</summary>
    Symbol,
}

/// <summary>A field of a <see cref="TypeKind.Row"/> type.</summary>
public sealed record RowField(string Name, SqlType Type, string? Comment = null);

/// <summary>
/// An immutable Flink SQL data type. Values at run time use one CLR type per kind: BOOLEAN <c>bool</c>, TINYINT
/// <c>sbyte</c>, SMALLINT <c>short</c>, INT <c>int</c>, BIGINT <c>long</c>, FLOAT <c>float</c>, DOUBLE <c>double</c>,
/// DECIMAL <c>decimal</c>, CHAR/VARCHAR/STRING <c>string</c>, DATE <c>DateOnly</c>, TIME <c>TimeOnly</c>, TIMESTAMP
/// <c>DateTime</c> (unspecified kind), TIMESTAMP_LTZ <c>DateTimeOffset</c> (UTC), BYTES <c>byte[]</c>, intervals
/// <c>TimeSpan</c> (day-time) or <c>int</c> months (year-month), ARRAY <c>object?[]</c>, MAP <see cref="Data.MapValue"/>,
/// ROW <see cref="Data.RowValue"/>; SQL NULL is <c>null</c>.
/// </summary>
public sealed class SqlType : IEquatable<SqlType>
{
    /// <summary>Length of <c>STRING</c>: Flink defines STRING as VARCHAR(2147483647).</summary>
    public const int MaxLength = int.MaxValue;

    private SqlType(TypeKind kind, bool nullable, int precision, int scale, SqlType? element, SqlType? value,
        IReadOnlyList<RowField>? fields)
    {
        Kind = kind;
        IsNullable = nullable;
        Precision = precision;
        Scale = scale;
        Element = element;
        ValueType = value;
        Fields = fields ?? [];
    }

    public TypeKind Kind { get; }
    public bool IsNullable { get; }
    /// <summary>Length for CHAR/VARCHAR, precision for DECIMAL and TIMESTAMP, -1 where it does not apply.</summary>
    public int Precision { get; }
    public int Scale { get; }
    /// <summary>Element type of an ARRAY, key type of a MAP.</summary>
    public SqlType? Element { get; }
    /// <summary>Value type of a MAP.</summary>
    public SqlType? ValueType { get; }
    public IReadOnlyList<RowField> Fields { get; }

    public static readonly SqlType Null = new(TypeKind.Null, true, -1, 0, null, null, null);
    public static readonly SqlType Boolean = new(TypeKind.Boolean, true, -1, 0, null, null, null);
    public static readonly SqlType TinyInt = new(TypeKind.TinyInt, true, -1, 0, null, null, null);
    public static readonly SqlType SmallInt = new(TypeKind.SmallInt, true, -1, 0, null, null, null);
    public static readonly SqlType Int = new(TypeKind.Int, true, -1, 0, null, null, null);
    public static readonly SqlType BigInt = new(TypeKind.BigInt, true, -1, 0, null, null, null);
    public static readonly SqlType Float = new(TypeKind.Float, true, -1, 0, null, null, null);
    public static readonly SqlType Double = new(TypeKind.Double, true, -1, 0, null, null, null);
    public static readonly SqlType String = new(TypeKind.VarChar, true, MaxLength, 0, null, null, null);
    public static readonly SqlType Date = new(TypeKind.Date, true, -1, 0, null, null, null);
    public static readonly SqlType Time = new(TypeKind.Time, true, 0, 0, null, null, null);
    public static readonly SqlType Bytes = new(TypeKind.Bytes, true, MaxLength, 0, null, null, null);
    public static readonly SqlType IntervalDayTime = new(TypeKind.IntervalDayTime, true, -1, 0, null, null, null);
    public static readonly SqlType IntervalYearMonth = new(TypeKind.IntervalYearMonth, true, -1, 0, null, null, null);
    public static readonly SqlType Symbol = new(TypeKind.Symbol, false, -1, 0, null, null, null);

    public static SqlType VarChar(int length) => new(TypeKind.VarChar, true, length, 0, null, null, null);
    public static SqlType Char(int length) => new(TypeKind.Char, true, length, 0, null, null, null);
    public static SqlType Binary(int length) => new(TypeKind.Bytes, true, length, 0, null, null, null);
    public static SqlType Decimal(int precision, int scale) => new(TypeKind.Decimal, true, precision, scale, null, null, null);
    public static SqlType Timestamp(int precision = 6) => new(TypeKind.Timestamp, true, precision, 0, null, null, null);
    public static SqlType TimestampLtz(int precision = 6) => new(TypeKind.TimestampLtz, true, precision, 0, null, null, null);
    public static SqlType TimeOf(int precision) => new(TypeKind.Time, true, precision, 0, null, null, null);
    public static SqlType Array(SqlType element) => new(TypeKind.Array, true, -1, 0, element, null, null);
    public static SqlType Map(SqlType key, SqlType value) => new(TypeKind.Map, true, -1, 0, key, value, null);
    public static SqlType Row(IReadOnlyList<RowField> fields) => new(TypeKind.Row, true, -1, 0, null, null, fields);

    public SqlType WithNullable(bool nullable) =>
        nullable == IsNullable ? this : new SqlType(Kind, nullable, Precision, Scale, Element, ValueType, Fields);

    public bool IsNumeric => Kind is TypeKind.TinyInt or TypeKind.SmallInt or TypeKind.Int or TypeKind.BigInt
        or TypeKind.Float or TypeKind.Double or TypeKind.Decimal;
    public bool IsExactInteger => Kind is TypeKind.TinyInt or TypeKind.SmallInt or TypeKind.Int or TypeKind.BigInt;
    public bool IsCharacter => Kind is TypeKind.Char or TypeKind.VarChar;
    public bool IsTemporal => Kind is TypeKind.Date or TypeKind.Time or TypeKind.Timestamp or TypeKind.TimestampLtz;
    public bool IsTimestamp => Kind is TypeKind.Timestamp or TypeKind.TimestampLtz;

    /// <summary>The type as Flink's DESCRIBE prints it, e.g. <c>DECIMAL(10, 2) NOT NULL</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        Append(sb);
        return sb.ToString();
    }

    private void Append(StringBuilder sb)
    {
        switch (Kind)
        {
            case TypeKind.Null: sb.Append("NULL"); break;
            case TypeKind.Boolean: sb.Append("BOOLEAN"); break;
            case TypeKind.TinyInt: sb.Append("TINYINT"); break;
            case TypeKind.SmallInt: sb.Append("SMALLINT"); break;
            case TypeKind.Int: sb.Append("INT"); break;
            case TypeKind.BigInt: sb.Append("BIGINT"); break;
            case TypeKind.Float: sb.Append("FLOAT"); break;
            case TypeKind.Double: sb.Append("DOUBLE"); break;
            case TypeKind.Decimal: sb.Append("DECIMAL(").Append(Precision).Append(", ").Append(Scale).Append(')'); break;
            case TypeKind.Char: sb.Append("CHAR(").Append(Precision).Append(')'); break;
            case TypeKind.VarChar:
                if (Precision == MaxLength) sb.Append("STRING");
                else sb.Append("VARCHAR(").Append(Precision).Append(')');
                break;
            case TypeKind.Date: sb.Append("DATE"); break;
            case TypeKind.Time: sb.Append("TIME(").Append(Precision).Append(')'); break;
            case TypeKind.Timestamp: sb.Append("TIMESTAMP(").Append(Precision).Append(')'); break;
            case TypeKind.TimestampLtz: sb.Append("TIMESTAMP_LTZ(").Append(Precision).Append(')'); break;
            case TypeKind.Bytes:
                if (Precision == MaxLength) sb.Append("BYTES");
                else sb.Append("VARBINARY(").Append(Precision).Append(')');
                break;
            case TypeKind.IntervalDayTime: sb.Append("INTERVAL SECOND(3)"); break;
            case TypeKind.IntervalYearMonth: sb.Append("INTERVAL MONTH"); break;
            case TypeKind.Array: sb.Append("ARRAY<"); Element!.Append(sb); sb.Append('>'); break;
            case TypeKind.Map:
                sb.Append("MAP<"); Element!.Append(sb); sb.Append(", "); ValueType!.Append(sb); sb.Append('>');
                break;
            case TypeKind.Row:
                sb.Append("ROW<");
                for (var i = 0; i < Fields.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    sb.Append('`').Append(Fields[i].Name.Replace("`", "``", StringComparison.Ordinal)).Append("` ");
                    Fields[i].Type.Append(sb);
                }
                sb.Append('>');
                break;
            case TypeKind.Symbol: sb.Append("SYMBOL"); break;
        }
        if (!IsNullable && Kind != TypeKind.Symbol) sb.Append(" NOT NULL");
    }

    public bool Equals(SqlType? other) => other is not null && ToString() == other.ToString();
    public override bool Equals(object? obj) => Equals(obj as SqlType);
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
    public static bool operator ==(SqlType? a, SqlType? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(SqlType? a, SqlType? b) => !(a == b);

    /// <summary>Equality ignoring nullability at the top level.</summary>
    public bool SameKindAs(SqlType other) => WithNullable(true).Equals(other.WithNullable(true));
}
