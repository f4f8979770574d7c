namespace Runnel.Sql.Ast;

/// <summary>A query: a SELECT block, a set operation, VALUES, or one of those with ORDER BY / LIMIT or WITH.</summary>
public abstract record QueryExpr : SqlNode;

/// <summary>An item of a select list; <see cref="Expr"/> may be a <see cref="StarExpr"/>.</summary>
public sealed record SelectItem(Expr Expr, string? Alias);

public sealed record SelectQuery(
    bool Distinct,
    IReadOnlyList<SelectItem> Items,
    TableRef? From,
    Expr? Where,
    IReadOnlyList<Expr> GroupBy,
    Expr? Having) : QueryExpr;

public enum SetOperator { Union, Intersect, Except }

public sealed record SetOperationQuery(SetOperator Operator, bool All, QueryExpr Left, QueryExpr Right) : QueryExpr;

/// <summary><c>VALUES (..), (..)</c>.</summary>
public sealed record ValuesQuery(IReadOnlyList<IReadOnlyList<Expr>> Rows) : QueryExpr;

public sealed record OrderItem(Expr Expr, bool Descending, bool? NullsFirst);

/// <summary>A query with <c>ORDER BY</c>, <c>LIMIT</c> and/or <c>OFFSET</c>.</summary>
public sealed record OrderedQuery(QueryExpr Body, IReadOnlyList<OrderItem> OrderBy, Expr? Limit, Expr? Offset) : QueryExpr;

/// <summary>One common table expression of a WITH clause.</summary>
public sealed record CommonTableExpr(string Name, IReadOnlyList<string>? Columns, QueryExpr Query);

public sealed record WithQuery(IReadOnlyList<CommonTableExpr> Ctes, QueryExpr Body) : QueryExpr;

/// <summary>An item of a FROM clause.</summary>
public abstract record TableRef : SqlNode;

/// <summary>A table or view by name, with an optional alias and Flink's dynamic options hint.</summary>
public sealed record NamedTableRef(QualifiedName Name, string? Alias) : TableRef;

public sealed record SubqueryTableRef(QueryExpr Query, string? Alias, IReadOnlyList<string>? ColumnAliases) : TableRef;

public enum JoinKind { Inner, Left, Right, Full, Cross, Comma }

public sealed record JoinTableRef(JoinKind Kind, TableRef Left, TableRef Right, Expr? On) : TableRef;

/// <summary><c>LATERAL TABLE(fn(..)) [AS] r(c1, ..)</c>.</summary>
public sealed record LateralTableRef(FunctionCallExpr Call, string? Alias, IReadOnlyList<string>? ColumnAliases) : TableRef;

/// <summary><c>UNNEST(arr) [WITH ORDINALITY] [AS] t(c1, ..)</c>.</summary>
public sealed record UnnestTableRef(IReadOnlyList<Expr> Arrays, bool WithOrdinality, string? Alias, IReadOnlyList<string>? ColumnAliases) : TableRef;

/// <summary>A table-valued function in FROM: <c>TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE))</c>,
/// <c>TUMBLE(..)</c> without the TABLE wrapper, or <c>ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(..))</c>.</summary>
public sealed record TableFunctionRef(FunctionCallExpr Call, bool Wrapped, string? Alias, IReadOnlyList<string>? ColumnAliases) : TableRef;
