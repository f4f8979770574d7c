using Runnel.Core.Types;

namespace Runnel.Sql.Ast;

/// <summary>A scalar expression as written.</summary>
public abstract record Expr : SqlNode;

/// <summary>Literal classes; numeric literals keep their text so types follow Flink (INT, BIGINT, DECIMAL(p, s),
/// DOUBLE).</summary>
public enum LiteralKind
{
    /// <summary>NULL</summary>
    Null,
    /// <summary>TRUE or FALSE</summary>
    Boolean,
    /// <summary>An integer literal</summary>
    Integer,
    /// <summary>A number with a point</summary>
    Decimal,
    /// <summary>A number with an exponent</summary>
    Double,
    /// <summary>A quoted string</summary>
    String,
    /// <summary>X'..'</summary>
    Bytes,
    /// <summary>DATE '..'</summary>
    Date,
    /// <summary>TIME '..'</summary>
    Time,
    /// <summary>TIMESTAMP '..'</summary>
    Timestamp,
    /// <summary>TIMESTAMP_LTZ '..'</summary>
    TimestampLtz,
}

/// <summary>A literal; <see cref="Text"/> is the value as written (string contents unescaped).</summary>
public sealed record LiteralExpr(LiteralKind Kind, string Text) : Expr;

/// <summary>Interval units in Flink SQL.</summary>
public enum IntervalUnit
{
    /// <summary>YEAR</summary>
    Year,
    /// <summary>MONTH</summary>
    Month,
    /// <summary>DAY</summary>
    Day,
    /// <summary>HOUR</summary>
    Hour,
    /// <summary>MINUTE</summary>
    Minute,
    /// <summary>SECOND</summary>
    Second,
    /// <summary>MILLISECOND</summary>
    Millisecond,
}

/// <summary><c>INTERVAL '5' SECOND</c>, <c>INTERVAL '1 02:00' DAY TO MINUTE</c>, or Flink's <c>INTERVAL '10 minutes'</c>.</summary>
public sealed record IntervalExpr(string Text, IntervalUnit? From, IntervalUnit? To, bool Negative) : Expr;

/// <summary>A column reference, possibly qualified (<c>t.c</c>) or a field path (<c>t.c.f</c>); resolved by binding.</summary>
public sealed record ColumnRefExpr(IReadOnlyList<string> Parts) : Expr
{
    /// <summary>Equal when the name parts are.</summary>
    public bool Equals(ColumnRefExpr? other) => other is not null && Parts.SequenceEqual(other.Parts);
    /// <inheritdoc />
    public override int GetHashCode() => Parts.Count;
}

/// <summary><c>*</c> or <c>t.*</c> in a select list or <c>COUNT(*)</c>.</summary>
public sealed record StarExpr(QualifiedName? Qualifier) : Expr;

/// <summary>A function call, including aggregates; <see cref="Distinct"/> for <c>COUNT(DISTINCT x)</c>.</summary>
public sealed record FunctionCallExpr(QualifiedName Name, IReadOnlyList<Expr> Args, bool Distinct = false) : Expr
{
    /// <summary>The function's last name part, upper-case.</summary>
    public string UpperName => Name.Last.ToUpperInvariant();
}

/// <summary>Infix operators.</summary>
public enum BinaryOp

{

    /// <summary><c>+</c></summary>
    Add,

    /// <summary><c>-</c></summary>
    Subtract,

    /// <summary><c>*</c></summary>
    Multiply,

    /// <summary><c>/</c></summary>
    Divide,

    /// <summary><c>%</c></summary>
    Modulo,

    /// <summary><c>||</c></summary>
    Concat,

    /// <summary><c>=</c></summary>
    Equal,

    /// <summary><c>&lt;&gt;</c></summary>
    NotEqual,

    /// <summary><c>&lt;</c></summary>
    Less,

    /// <summary><c>&lt;=</c></summary>
    LessOrEqual,

    /// <summary><c>&gt;</c></summary>
    Greater,

    /// <summary><c>&gt;=</c></summary>
    GreaterOrEqual,

    /// <summary><c>AND</c></summary>
    And,

    /// <summary><c>OR</c></summary>
    Or,

}

/// <summary>Prefix operators.</summary>
public enum UnaryOp
{
    /// <summary><c>-x</c></summary>
    Negate,
    /// <summary><c>+x</c></summary>
    Plus,
    /// <summary><c>NOT x</c></summary>
    Not,
}

/// <summary>An infix operator applied to two operands.</summary>
/// <summary>An infix operator applied to two operands.</summary>
/// <param name="Left">The left side.</param>
/// <param name="Op">The operator.</param>
/// <param name="Right">The right side.</param>
public sealed record BinaryExpr(BinaryOp Op, Expr Left, Expr Right) : Expr;
/// <summary>A prefix operator applied to one operand.</summary>
/// <summary>A prefix operator applied to one operand.</summary>
/// <param name="Op">The operator.</param>
/// <param name="Operand">The value tested.</param>
public sealed record UnaryExpr(UnaryOp Op, Expr Operand) : Expr;

/// <summary>One <c>WHEN .. THEN ..</c> arm.</summary>
public sealed record WhenClause(Expr When, Expr Then);

/// <summary><c>CASE [operand] WHEN .. THEN .. [ELSE ..] END</c>.</summary>
public sealed record CaseExpr(Expr? Operand, IReadOnlyList<WhenClause> Whens, Expr? Else) : Expr;

/// <summary><c>CAST(x AS T)</c> or <c>TRY_CAST(x AS T)</c>.</summary>
public sealed record CastExpr(Expr Operand, SqlType TargetType, bool IsTry) : Expr;

/// <summary><c>x [NOT] BETWEEN low AND high</c>.</summary>
/// <summary><c>x [NOT] BETWEEN low AND high</c>.</summary>
/// <param name="High">The upper bound (inclusive).</param>
/// <param name="Low">The lower bound (inclusive).</param>
/// <param name="Negated">True for the NOT form.</param>
/// <param name="Operand">The value tested.</param>
public sealed record BetweenExpr(Expr Operand, Expr Low, Expr High, bool Negated) : Expr;
/// <summary><c>x [NOT] IN (a, b, ..)</c>.</summary>
/// <summary><c>x [NOT] IN (a, b, ..)</c>.</summary>
/// <param name="Items">The items in order.</param>
/// <param name="Negated">True for the NOT form.</param>
/// <param name="Operand">The value tested.</param>
public sealed record InListExpr(Expr Operand, IReadOnlyList<Expr> Items, bool Negated) : Expr;
/// <summary><c>x [NOT] LIKE pattern [ESCAPE c]</c>.</summary>
/// <summary><c>x [NOT] LIKE pattern [ESCAPE c]</c>.</summary>
/// <param name="Escape">The escape character, or null.</param>
/// <param name="Negated">True for the NOT form.</param>
/// <param name="Operand">The value tested.</param>
/// <param name="Pattern">The LIKE pattern (<c>%</c> any sequence, <c>_</c> one character).</param>
public sealed record LikeExpr(Expr Operand, Expr Pattern, Expr? Escape, bool Negated) : Expr;

/// <summary>What <c>IS</c> tests.</summary>
public enum IsTest

{

    /// <summary>IS NULL</summary>
    Null,

    /// <summary>IS TRUE</summary>
    True,

    /// <summary>IS FALSE</summary>
    False,

    /// <summary>IS UNKNOWN (a NULL BOOLEAN)</summary>
    Unknown,

}

/// <summary><c>x IS [NOT] NULL | TRUE | FALSE | UNKNOWN</c>.</summary>
public sealed record IsExpr(Expr Operand, IsTest Test, bool Negated) : Expr;

/// <summary><c>a[i]</c> (1-based) or <c>m['k']</c>.</summary>
public sealed record IndexExpr(Expr Target, Expr Index) : Expr;

/// <summary><c>(expr).field</c>: field access on a ROW-typed expression that is not a plain column path.</summary>
public sealed record FieldAccessExpr(Expr Target, string Field) : Expr;

/// <summary><c>EXTRACT(unit FROM x)</c>.</summary>
public sealed record ExtractExpr(string Unit, Expr Source) : Expr;

/// <summary><c>TRIM([BOTH|LEADING|TRAILING] [chars] FROM s)</c> or <c>TRIM(s)</c>.</summary>
public sealed record TrimExpr(string Mode, Expr? Characters, Expr Source) : Expr;

/// <summary><c>ARRAY[..]</c>, <c>MAP[k, v, ..]</c> or <c>ROW(..)</c>.</summary>
public enum ConstructorKind
{
    /// <summary><c>ARRAY[..]</c></summary>
    Array,
    /// <summary><c>MAP[k, v, ..]</c></summary>
    Map,
    /// <summary><c>ROW(..)</c></summary>
    Row,
}

/// <summary>An ARRAY, MAP or ROW constructor.</summary>
/// <summary>An ARRAY, MAP or ROW constructor.</summary>
/// <param name="Items">The items in order.</param>
/// <param name="Kind">Which kind.</param>
public sealed record ConstructorExpr(ConstructorKind Kind, IReadOnlyList<Expr> Items) : Expr;

/// <summary><c>TABLE t</c>: a table argument of a table-valued function (window TVFs, Flink 2.1 ML_PREDICT).</summary>
public sealed record TableArgExpr(QualifiedName Table) : Expr;

/// <summary><c>DESCRIPTOR(c1, c2)</c>: column names given to a table-valued function.</summary>
public sealed record DescriptorExpr(IReadOnlyList<string> Columns) : Expr;

/// <summary><c>MODEL m</c>: a model argument (Flink 2.1 <c>ML_PREDICT(TABLE t, MODEL m, ...)</c>).</summary>
public sealed record ModelArgExpr(QualifiedName Model) : Expr;

/// <summary>A parenthesised query used as an expression (<c>x IN (SELECT ..)</c>, <c>EXISTS (..)</c>, scalar).</summary>
public sealed record SubqueryExpr(QueryExpr Query, string Form) : Expr;
