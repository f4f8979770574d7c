namespace Runnel.Sql.Ast;

/// <summary>A query: a SELECT block, a set operation, VALUES, or one of those with ORDER BY / LIMIT or WITH.</summary>
public abstract record QueryExpr : SqlNode;

/// <summary>An item of a select list; <see cref="Expr"/> may be a <see cref="StarExpr"/>.</summary>
public sealed record SelectItem(Expr Expr, string? Alias);

/// <summary>A SELECT block.</summary>
/// <summary>A SELECT block.</summary>
/// <param name="Distinct">True for SELECT DISTINCT.</param>
/// <param name="From">The FROM clause, or null.</param>
/// <param name="GroupBy">The GROUP BY expressions (empty when none).</param>
/// <param name="Having">The HAVING condition, or null.</param>
/// <param name="Items">The items in order.</param>
/// <param name="Where">The WHERE condition, or null.</param>
public sealed record SelectQuery(
    bool Distinct,
    IReadOnlyList<SelectItem> Items,
    TableRef? From,
    Expr? Where,
    IReadOnlyList<Expr> GroupBy,
    Expr? Having) : QueryExpr;

/// <summary>Set operators.</summary>
public enum SetOperator

{

    /// <summary>UNION</summary>
    Union,

    /// <summary>INTERSECT</summary>
    Intersect,

    /// <summary>EXCEPT (also MINUS)</summary>
    Except,

}

/// <summary><c>UNION</c>, <c>INTERSECT</c> or <c>EXCEPT</c> of two queries.</summary>
/// <summary><c>UNION</c>, <c>INTERSECT</c> or <c>EXCEPT</c> of two queries.</summary>
/// <param name="All">True for the ALL form (duplicates kept).</param>
/// <param name="Left">The left side.</param>
/// <param name="Operator">The set operator.</param>
/// <param name="Right">The right side.</param>
public sealed record SetOperationQuery(SetOperator Operator, bool All, QueryExpr Left, QueryExpr Right) : QueryExpr;

/// <summary><c>VALUES (..), (..)</c>.</summary>
public sealed record ValuesQuery(IReadOnlyList<IReadOnlyList<Expr>> Rows) : QueryExpr;

/// <summary>One ORDER BY item.</summary>
/// <summary>One ORDER BY item.</summary>
/// <param name="Descending">True for DESC.</param>
/// <param name="Expr">The expression.</param>
/// <param name="NullsFirst">NULLS FIRST (true), NULLS LAST (false), or null for the default.</param>
public sealed record OrderItem(Expr Expr, bool Descending, bool? NullsFirst);

/// <summary>A query with <c>ORDER BY</c>, <c>LIMIT</c> and/or <c>OFFSET</c>.</summary>
public sealed record OrderedQuery(QueryExpr Body, IReadOnlyList<OrderItem> OrderBy, Expr? Limit, Expr? Offset) : QueryExpr;

/// <summary>One common table expression of a WITH clause.</summary>
public sealed record CommonTableExpr(string Name, IReadOnlyList<string>? Columns, QueryExpr Query);

/// <summary>A query with WITH (common table expressions).</summary>
/// <summary>A query with WITH (common table expressions).</summary>
/// <param name="Body">The query ordered and limited.</param>
/// <param name="Ctes">The WITH queries in order.</param>
public sealed record WithQuery(IReadOnlyList<CommonTableExpr> Ctes, QueryExpr Body) : QueryExpr;

/// <summary>An item of a FROM clause.</summary>
public abstract record TableRef : SqlNode;

/// <summary>A table or view by name, with an optional alias and Flink's dynamic options hint.</summary>
public sealed record NamedTableRef(QualifiedName Name, string? Alias) : TableRef;

/// <summary>A parenthesised query in FROM.</summary>
/// <summary>A parenthesised query in FROM.</summary>
/// <param name="Alias">The alias given with AS, or null.</param>
/// <param name="ColumnAliases">Column names given with the alias, or null.</param>
/// <param name="Query">The query.</param>
public sealed record SubqueryTableRef(QueryExpr Query, string? Alias, IReadOnlyList<string>? ColumnAliases) : TableRef;

/// <summary>How a join was written.</summary>
public enum JoinKind

{

    /// <summary>[INNER] JOIN</summary>
    Inner,

    /// <summary>LEFT [OUTER] JOIN</summary>
    Left,

    /// <summary>RIGHT [OUTER] JOIN</summary>
    Right,

    /// <summary>FULL [OUTER] JOIN</summary>
    Full,

    /// <summary>CROSS JOIN</summary>
    Cross,

    /// <summary>a comma between FROM items</summary>
    Comma,

}

/// <summary>A join of two FROM items.</summary>
/// <summary>A join of two FROM items.</summary>
/// <param name="Kind">Which kind.</param>
/// <param name="Left">The left side.</param>
/// <param name="On">The ON condition, or null.</param>
/// <param name="Right">The right side.</param>
public sealed record JoinTableRef(JoinKind Kind, TableRef Left, TableRef Right, Expr? On) : TableRef;

/// <summary><c>LATERAL TABLE(fn(..)) [AS] r(c1, ..)</c>.</summary>
public sealed record LateralTableRef(FunctionCallExpr Call, string? Alias, IReadOnlyList<string>? ColumnAliases) : TableRef;

/// <summary><c>UNNEST(arr) [WITH ORDINALITY] [AS] t(c1, ..)</c>.</summary>
public sealed record UnnestTableRef(IReadOnlyList<Expr> Arrays, bool WithOrdinality, string? Alias, IReadOnlyList<string>? ColumnAliases) : TableRef;

/// <summary>A table-valued function in FROM: <c>TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE))</c>,
/// <c>TUMBLE(..)</c> without the TABLE wrapper, or <c>ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(..))</c>.</summary>
public sealed record TableFunctionRef(FunctionCallExpr Call, bool Wrapped, string? Alias, IReadOnlyList<string>? ColumnAliases) : TableRef;
