using Runnel.Core.Types;

namespace Runnel.Sql.Ast;

/// <summary>A top-level statement. <see cref="Text"/> is the statement's own SQL text as written (without the
/// terminating semicolon), set by the parser.</summary>
public abstract record Statement : SqlNode
{
    /// <summary>The statement as written.</summary>
    public string Text { get; init; } = "";
}

/// <summary>A <c>'key' = 'value'</c> pair of a WITH clause or SET.</summary>
public sealed record OptionPair(string Key, string Value) : SqlNode;

/// <summary>A query run as a statement.</summary>
/// <summary>A query run as a statement.</summary>
/// <param name="Query">The query.</param>
public sealed record QueryStatement(QueryExpr Query) : Statement;

/// <summary>INSERT INTO / INSERT OVERWRITE.</summary>
/// <summary>INSERT INTO / INSERT OVERWRITE.</summary>
/// <param name="Columns">The column names, or null when not given.</param>
/// <param name="Overwrite">INSERT OVERWRITE: replace the contents.</param>
/// <param name="Source">The rows to insert.</param>
/// <param name="Target">The table written to.</param>
public sealed record InsertStatement(QualifiedName Target, bool Overwrite, IReadOnlyList<string>? Columns, QueryExpr Source) : Statement;

/// <summary><c>EXECUTE STATEMENT SET BEGIN INSERT ..; INSERT ..; END</c> (also <c>BEGIN STATEMENT SET; .. END;</c>).</summary>
public sealed record StatementSetStatement(IReadOnlyList<InsertStatement> Inserts) : Statement;

/// <summary>A column, computed column or metadata column of CREATE TABLE.</summary>
public abstract record TableElement(string Name, string? Comment) : SqlNode;

/// <summary>A physical column: stored and read by the format.</summary>
/// <summary>A physical column: stored and read by the format.</summary>
/// <param name="Type">The data type.</param>
public sealed record PhysicalColumnDef(string Name, SqlType Type, string? Comment) : TableElement(Name, Comment);

/// <summary><c>name AS expr</c>: a virtual column computed from the others.</summary>
public sealed record ComputedColumnDef(string Name, Expr Expression, string? Comment) : TableElement(Name, Comment);

/// <summary><c>name type METADATA [FROM 'key'] [VIRTUAL]</c>.</summary>
public sealed record MetadataColumnDef(string Name, SqlType Type, string? Key, bool IsVirtual, string? Comment) : TableElement(Name, Comment);

/// <summary><c>WATERMARK FOR column AS expr</c>.</summary>
public sealed record WatermarkDef(string Column, Expr Strategy) : SqlNode;

/// <summary><c>PRIMARY KEY (..) NOT ENFORCED</c>.</summary>
/// <summary><c>PRIMARY KEY (..) NOT ENFORCED</c>.</summary>
/// <param name="Columns">The column names, or null when not given.</param>
/// <param name="NotEnforced">Always true: Flink keys are not enforced.</param>
public sealed record PrimaryKeyDef(IReadOnlyList<string> Columns, bool NotEnforced) : SqlNode;

/// <summary>CREATE TABLE.</summary>
/// <summary>CREATE TABLE.</summary>
/// <param name="AsQuery">The AS query, or null.</param>
/// <param name="Columns">The column names, or null when not given.</param>
/// <param name="Comment">The COMMENT, or null.</param>
/// <param name="IfNotExists">IF NOT EXISTS was given: no error when the object exists.</param>
/// <param name="Name">The name.</param>
/// <param name="Options">The WITH options as written.</param>
/// <param name="PartitionedBy">PARTITIONED BY columns, or null.</param>
/// <param name="PrimaryKey">The PRIMARY KEY, or null.</param>
/// <param name="Temporary">TEMPORARY was given: the object lives in the session only.</param>
/// <param name="Watermark">The WATERMARK clause, or null.</param>
public sealed record CreateTableStatement(
    QualifiedName Name,
    bool IfNotExists,
    bool Temporary,
    IReadOnlyList<TableElement> Columns,
    WatermarkDef? Watermark,
    PrimaryKeyDef? PrimaryKey,
    string? Comment,
    IReadOnlyList<string>? PartitionedBy,
    IReadOnlyList<OptionPair> Options,
    QueryExpr? AsQuery) : Statement;

/// <summary>DROP TABLE.</summary>
/// <summary>DROP TABLE.</summary>
/// <param name="IfExists">IF EXISTS was given: no error when the object is missing.</param>
/// <param name="Name">The name.</param>
/// <param name="Temporary">TEMPORARY was given: the object lives in the session only.</param>
public sealed record DropTableStatement(QualifiedName Name, bool IfExists, bool Temporary) : Statement;

/// <summary><c>ALTER TABLE t SET (..)</c> / <c>RESET (..)</c> / <c>RENAME TO</c>.</summary>
public sealed record AlterTableStatement(QualifiedName Name, IReadOnlyList<OptionPair> Set, IReadOnlyList<string> Reset, QualifiedName? RenameTo) : Statement;

/// <summary>CREATE VIEW.</summary>
/// <summary>CREATE VIEW.</summary>
/// <param name="Columns">The column names, or null when not given.</param>
/// <param name="Comment">The COMMENT, or null.</param>
/// <param name="IfNotExists">IF NOT EXISTS was given: no error when the object exists.</param>
/// <param name="Name">The name.</param>
/// <param name="Query">The query.</param>
/// <param name="QueryText">The query's text as written.</param>
/// <param name="Temporary">TEMPORARY was given: the object lives in the session only.</param>
public sealed record CreateViewStatement(QualifiedName Name, bool IfNotExists, bool Temporary, IReadOnlyList<string>? Columns,
    QueryExpr Query, string QueryText, string? Comment) : Statement;

/// <summary>DROP VIEW.</summary>
/// <summary>DROP VIEW.</summary>
/// <param name="IfExists">IF EXISTS was given: no error when the object is missing.</param>
/// <param name="Name">The name.</param>
/// <param name="Temporary">TEMPORARY was given: the object lives in the session only.</param>
public sealed record DropViewStatement(QualifiedName Name, bool IfExists, bool Temporary) : Statement;

/// <summary><c>SET 'k' = 'v'</c>; with no key, <c>SET;</c> lists the session configuration.</summary>
public sealed record SetStatement(string? Key, string? Value) : Statement;

/// <summary><c>RESET 'k'</c>; with no key, resets every key.</summary>
public sealed record ResetStatement(string? Key) : Statement;

/// <summary>The SHOW listings. Later object kinds (MODELS, CONNECTIONS) reuse the same node.</summary>
public sealed record ShowStatement(string What, QualifiedName? From, string? LikePattern, bool NotLike) : Statement;

/// <summary><c>SHOW CREATE TABLE|VIEW|MODEL name</c>.</summary>
public sealed record ShowCreateStatement(string ObjectKind, QualifiedName Name) : Statement;

/// <summary><c>DESCRIBE [TABLE|VIEW] name</c>; <see cref="ObjectKind"/> is empty when not given.</summary>
public sealed record DescribeStatement(string ObjectKind, QualifiedName Name) : Statement;

/// <summary>EXPLAIN.</summary>
/// <summary>EXPLAIN.</summary>
/// <param name="Inner">The statement explained.</param>
public sealed record ExplainStatement(Statement Inner) : Statement;

/// <summary><c>USE [CATALOG] name</c>: accepted for names that point at the one default catalog and database.</summary>
public sealed record UseStatement(QualifiedName Name, bool Catalog) : Statement;

/// <summary><c>CREATE [OR REPLACE] CONNECTION [IF NOT EXISTS] name [COMMENT '..'] WITH ('type' = .., ..)</c>.</summary>
public sealed record CreateConnectionStatement(QualifiedName Name, bool OrReplace, bool IfNotExists, string? Comment, IReadOnlyList<OptionPair> Options) : Statement;

/// <summary><c>ALTER CONNECTION [IF EXISTS] name SET (..)</c>: only secrets may change.</summary>
public sealed record AlterConnectionStatement(QualifiedName Name, bool IfExists, IReadOnlyList<OptionPair> Set) : Statement;

/// <summary>DROP CONNECTION.</summary>
/// <summary>DROP CONNECTION.</summary>
/// <param name="IfExists">IF EXISTS was given: no error when the object is missing.</param>
/// <param name="Name">The name.</param>
public sealed record DropConnectionStatement(QualifiedName Name, bool IfExists) : Statement;

/// <summary><c>CREATE MODEL [IF NOT EXISTS] name [INPUT (..)] [OUTPUT (..)] [COMMENT '..'] WITH (..) [AS query]</c>.</summary>
public sealed record CreateModelStatement(QualifiedName Name, bool IfNotExists, IReadOnlyList<PhysicalColumnDef>? Input,
    IReadOnlyList<PhysicalColumnDef>? Output, string? Comment, IReadOnlyList<OptionPair> Options, QueryExpr? AsQuery) : Statement;

/// <summary><c>ALTER MODEL [IF EXISTS] name[$v] SET (..) | RESET (..) | RENAME TO new</c>.</summary>
public sealed record AlterModelStatement(QualifiedName Name, bool IfExists, IReadOnlyList<OptionPair> Set, IReadOnlyList<string> Reset, QualifiedName? RenameTo) : Statement;

/// <summary><c>DROP MODEL [IF EXISTS] name | `name$v` | `name$all`</c>.</summary>
public sealed record DropModelStatement(QualifiedName Name, bool IfExists) : Statement;
