using Runnel.Core.Types;

namespace Runnel.Sql.Ast;

/// <summary>A scalar expression as written.</summary>
public abstract record Expr : SqlNode;

/// <summary>Literal classes; numeric literals keep their text so types follow Flink (INT, BIGINT, DECIMAL(p, s),
/// DOUBLE).</summary>
public enum LiteralKind { Null, Boolean, Integer, Decimal, Double, String, Bytes, Date, Time, Timestamp, TimestampLtz }

/// <summary>A literal; <see cref="Text"/> is the value as written (string contents unescaped).</summary>
public sealed record LiteralExpr(LiteralKind Kind, string Text) : Expr;

/// <summary>Interval units in Flink SQL.</summary>
public enum IntervalUnit { Year, Month, Day, Hour, Minute, Second, Millisecond }

/// <summary><c>INTERVAL '5' SECOND</c>, <c>INTERVAL '1 02:00' DAY TO MINUTE</c>, or Flink's <c>INTERVAL '10 minutes'</c>.</summary>
public sealed record IntervalExpr(string Text, IntervalUnit? From, IntervalUnit? To, bool Negative) : Expr;

/// <summary>A column reference, possibly qualified (<c>t.c</c>) or a field path (<c>t.c.f</c>); resolved by binding.</summary>
public sealed record ColumnRefExpr(IReadOnlyList<string> Parts) : Expr
{
    public bool Equals(ColumnRefExpr? other) => other is not null && Parts.SequenceEqual(other.Parts);
    public override int GetHashCode() => Parts.Count;
}

/// <summary><c>*</c> or <c>t.*</c> in a select list or <c>COUNT(*)</c>.</summary>
public sealed record StarExpr(QualifiedName? Qualifier) : Expr;

/// <summary>A function call, including aggregates; <see cref="Distinct"/> for <c>COUNT(DISTINCT x)</c>.</summary>
public sealed record FunctionCallExpr(QualifiedName Name, IReadOnlyList<Expr> Args, bool Distinct = false) : Expr
{
    public string UpperName => Name.Last.ToUpperInvariant();
}

public enum BinaryOp { Add, Subtract, Multiply, Divide, Modulo, Concat, Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual, And, Or }
public enum UnaryOp { Negate, Plus, Not }

public sealed record BinaryExpr(BinaryOp Op, Expr Left, Expr Right) : Expr;
public sealed record UnaryExpr(UnaryOp Op, Expr Operand) : Expr;

/// <summary>One <c>WHEN .. THEN ..</c> arm.</summary>
public sealed record WhenClause(Expr When, Expr Then);

/// <summary><c>CASE [operand] WHEN .. THEN .. [ELSE ..] END</c>.</summary>
public sealed record CaseExpr(Expr? Operand, IReadOnlyList<WhenClause> Whens, Expr? Else) : Expr;

/// <summary><c>CAST(x AS T)</c> or <c>TRY_CAST(x AS T)</c>.</summary>
public sealed record CastExpr(Expr Operand, SqlType TargetType, bool IsTry) : Expr;

public sealed record BetweenExpr(Expr Operand, Expr Low, Expr High, bool Negated) : Expr;
public sealed record InListExpr(Expr Operand, IReadOnlyList<Expr> Items, bool Negated) : Expr;
public sealed record LikeExpr(Expr Operand, Expr Pattern, Expr? Escape, bool Negated) : Expr;

public enum IsTest { Null, True, False, Unknown }

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
public enum ConstructorKind { Array, Map, Row }

public sealed record ConstructorExpr(ConstructorKind Kind, IReadOnlyList<Expr> Items) : Expr;

/// <summary><c>TABLE t</c>: a table argument of a table-valued function (window TVFs, Flink 2.1 ML_PREDICT).</summary>
public sealed record TableArgExpr(QualifiedName Table) : Expr;

/// <summary><c>DESCRIPTOR(c1, c2)</c>: column names given to a table-valued function.</summary>
public sealed record DescriptorExpr(IReadOnlyList<string> Columns) : Expr;

/// <summary><c>MODEL m</c>: a model argument (Flink 2.1 <c>ML_PREDICT(TABLE t, MODEL m, ...)</c>).</summary>
public sealed record ModelArgExpr(QualifiedName Model) : Expr;

/// <summary>A parenthesised query used as an expression (<c>x IN (SELECT ..)</c>, <c>EXISTS (..)</c>, scalar).</summary>
public sealed record SubqueryExpr(QueryExpr Query, string Form) : Expr;
