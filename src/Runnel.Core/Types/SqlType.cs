using System.Text;

namespace Runnel.Core.Types;

/// <summary>The logical type roots of Flink SQL that Runnel supports.</summary>
public enum TypeKind
{
    /// <summary>The type of the NULL literal.</summary>
    Null,
    /// <summary>BOOLEAN.</summary>
    Boolean,
    /// <summary>TINYINT (1 byte).</summary>
    TinyInt,
    /// <summary>SMALLINT (2 bytes).</summary>
    SmallInt,
    /// <summary>INT (4 bytes).</summary>
    Int,
    /// <summary>BIGINT (8 bytes).</summary>
    BigInt,
    /// <summary>FLOAT (4-byte floating point).</summary>
    Float,
    /// <summary>DOUBLE (8-byte floating point).</summary>
    Double,
    /// <summary>DECIMAL(p, s).</summary>
    Decimal,
    /// <summary>CHAR(n).</summary>
    Char,
    /// <summary>VARCHAR(n) and STRING.</summary>
    VarChar,
    /// <summary>DATE.</summary>
    Date,
    /// <summary>TIME(p).</summary>
    Time,
    /// <summary>TIMESTAMP(p), without time zone.</summary>
    Timestamp,
    /// <summary>TIMESTAMP_LTZ(p), an instant shown in the session time zone.</summary>
    TimestampLtz,
    /// <summary>BINARY, VARBINARY and BYTES.</summary>
    Bytes,
    /// <summary>INTERVAL DAY TO SECOND.</summary>
    IntervalDayTime,
    /// <summary>INTERVAL YEAR TO MONTH.</summary>
    IntervalYearMonth,
    /// <summary>ARRAY&lt;T&gt;.</summary>
    Array,
    /// <summary>MAP&lt;K, V&gt;.</summary>
    Map,
    /// <summary>ROW&lt;..&gt;.</summary>
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

    /// <summary>The type root.</summary>
    public TypeKind Kind { get; }
    /// <summary>False for <c>NOT NULL</c> types.</summary>
    public bool IsNullable { get; }
    /// <summary>Length for CHAR/VARCHAR, precision for DECIMAL and TIMESTAMP, -1 where it does not apply.</summary>
    public int Precision { get; }
    /// <summary>Digits after the point of a DECIMAL.</summary>
    public int Scale { get; }
    /// <summary>Element type of an ARRAY, key type of a MAP.</summary>
    public SqlType? Element { get; }
    /// <summary>Value type of a MAP.</summary>
    public SqlType? ValueType { get; }
    /// <summary>The fields of a ROW type (empty otherwise).</summary>
    public IReadOnlyList<RowField> Fields { get; }

    /// <summary>The type of the NULL literal.</summary>
    public static readonly SqlType Null = new(TypeKind.Null, true, -1, 0, null, null, null);
    /// <summary>BOOLEAN.</summary>
    public static readonly SqlType Boolean = new(TypeKind.Boolean, true, -1, 0, null, null, null);
    /// <summary>TINYINT.</summary>
    public static readonly SqlType TinyInt = new(TypeKind.TinyInt, true, -1, 0, null, null, null);
    /// <summary>SMALLINT.</summary>
    public static readonly SqlType SmallInt = new(TypeKind.SmallInt, true, -1, 0, null, null, null);
    /// <summary>INT.</summary>
    public static readonly SqlType Int = new(TypeKind.Int, true, -1, 0, null, null, null);
    /// <summary>BIGINT.</summary>
    public static readonly SqlType BigInt = new(TypeKind.BigInt, true, -1, 0, null, null, null);
    /// <summary>FLOAT (4 bytes).</summary>
    public static readonly SqlType Float = new(TypeKind.Float, true, -1, 0, null, null, null);
    /// <summary>DOUBLE.</summary>
    public static readonly SqlType Double = new(TypeKind.Double, true, -1, 0, null, null, null);
    /// <summary>STRING (= VARCHAR(2147483647)).</summary>
    public static readonly SqlType String = new(TypeKind.VarChar, true, MaxLength, 0, null, null, null);
    /// <summary>DATE.</summary>
    public static readonly SqlType Date = new(TypeKind.Date, true, -1, 0, null, null, null);
    /// <summary>TIME(0).</summary>
    public static readonly SqlType Time = new(TypeKind.Time, true, 0, 0, null, null, null);
    /// <summary>BYTES.</summary>
    public static readonly SqlType Bytes = new(TypeKind.Bytes, true, MaxLength, 0, null, null, null);
    /// <summary>A day-time interval.</summary>
    public static readonly SqlType IntervalDayTime = new(TypeKind.IntervalDayTime, true, -1, 0, null, null, null);
    /// <summary>A year-month interval.</summary>
    public static readonly SqlType IntervalYearMonth = new(TypeKind.IntervalYearMonth, true, -1, 0, null, null, null);
    /// <summary>The pseudo-type of DESCRIPTOR, TABLE and MODEL arguments.</summary>
    public static readonly SqlType Symbol = new(TypeKind.Symbol, false, -1, 0, null, null, null);

    /// <summary>VARCHAR(<paramref name="length"/>).</summary>
    public static SqlType VarChar(int length) => new(TypeKind.VarChar, true, length, 0, null, null, null);
    /// <summary>CHAR(<paramref name="length"/>).</summary>
    public static SqlType Char(int length) => new(TypeKind.Char, true, length, 0, null, null, null);
    /// <summary>VARBINARY(<paramref name="length"/>).</summary>
    public static SqlType Binary(int length) => new(TypeKind.Bytes, true, length, 0, null, null, null);
    /// <summary>DECIMAL(<paramref name="precision"/>, <paramref name="scale"/>).</summary>
    public static SqlType Decimal(int precision, int scale) => new(TypeKind.Decimal, true, precision, scale, null, null, null);
    /// <summary>TIMESTAMP(<paramref name="precision"/>), 6 by default as Flink.</summary>
    public static SqlType Timestamp(int precision = 6) => new(TypeKind.Timestamp, true, precision, 0, null, null, null);
    /// <summary>TIMESTAMP_LTZ(<paramref name="precision"/>).</summary>
    public static SqlType TimestampLtz(int precision = 6) => new(TypeKind.TimestampLtz, true, precision, 0, null, null, null);
    /// <summary>TIME(<paramref name="precision"/>).</summary>
    public static SqlType TimeOf(int precision) => new(TypeKind.Time, true, precision, 0, null, null, null);
    /// <summary>ARRAY&lt;<paramref name="element"/>&gt;.</summary>
    public static SqlType Array(SqlType element) => new(TypeKind.Array, true, -1, 0, element, null, null);
    /// <summary>MAP&lt;<paramref name="key"/>, <paramref name="value"/>&gt;.</summary>
    public static SqlType Map(SqlType key, SqlType value) => new(TypeKind.Map, true, -1, 0, key, value, null);
    /// <summary>ROW&lt;..&gt; of <paramref name="fields"/>.</summary>
    public static SqlType Row(IReadOnlyList<RowField> fields) => new(TypeKind.Row, true, -1, 0, null, null, fields);

    /// <summary>The same type, nullable or NOT NULL.</summary>
    public SqlType WithNullable(bool nullable) =>
        nullable == IsNullable ? this : new SqlType(Kind, nullable, Precision, Scale, Element, ValueType, Fields);

    /// <summary>TINYINT to DOUBLE, DECIMAL included.</summary>
    public bool IsNumeric => Kind is TypeKind.TinyInt or TypeKind.SmallInt or TypeKind.Int or TypeKind.BigInt
        or TypeKind.Float or TypeKind.Double or TypeKind.Decimal;
    /// <summary>TINYINT, SMALLINT, INT or BIGINT.</summary>
    public bool IsExactInteger => Kind is TypeKind.TinyInt or TypeKind.SmallInt or TypeKind.Int or TypeKind.BigInt;
    /// <summary>CHAR or VARCHAR/STRING.</summary>
    public bool IsCharacter => Kind is TypeKind.Char or TypeKind.VarChar;
    /// <summary>DATE, TIME, TIMESTAMP or TIMESTAMP_LTZ.</summary>
    public bool IsTemporal => Kind is TypeKind.Date or TypeKind.Time or TypeKind.Timestamp or TypeKind.TimestampLtz;
    /// <summary>TIMESTAMP or TIMESTAMP_LTZ.</summary>
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

    /// <summary>Types are equal when they print the same (kind, length/precision, fields, nullability).</summary>
    public bool Equals(SqlType? other) => other is not null && ToString() == other.ToString();
    /// <summary>Types are equal when they print the same (kind, length/precision, fields, nullability).</summary>
    public override bool Equals(object? obj) => Equals(obj as SqlType);
    /// <inheritdoc />
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
    /// <summary>Type equality (<see cref="Equals(SqlType?)"/>).</summary>
    public static bool operator ==(SqlType? a, SqlType? b) => a is null ? b is null : a.Equals(b);
    /// <summary>Type inequality.</summary>
    public static bool operator !=(SqlType? a, SqlType? b) => !(a == b);

    /// <summary>Equality ignoring nullability at the top level.</summary>
    public bool SameKindAs(SqlType other) => WithNullable(true).Equals(other.WithNullable(true));
}
