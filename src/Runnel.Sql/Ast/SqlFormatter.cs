using System.Text;
using Runnel.Core.Types;

namespace Runnel.Sql.Ast;

/// <summary>Writes syntax trees back as SQL text. <c>Parse(Format(Parse(s)))</c> equals <c>Parse(s)</c> for every
/// statement the parser accepts; the parser tests check this round trip. Used by SHOW CREATE TABLE and to store
/// expressions (computed columns, watermarks) in the catalog.</summary>
public static class SqlFormatter
{
    /// <summary>The SQL text of the node.</summary>
    public static string Format(Statement statement) => Format(statement, null);

    /// <summary>Formats a statement, writing <c>******</c> for the values of options that
    /// <paramref name="isSecret"/> names (the owning connection type's or provider's secret keys).</summary>
    public static string Format(Statement statement, Func<string, bool>? isSecret)
    {
        ArgumentNullException.ThrowIfNull(statement);
        var sb = new StringBuilder();
        secretKeys = isSecret;
        try { WriteStatement(sb, statement); }
        finally { secretKeys = null; }
        return sb.ToString();
    }

    [ThreadStatic]
    private static Func<string, bool>? secretKeys;

    /// <summary>The SQL text of the node.</summary>
    public static string Format(Expr expr)
    {
        var sb = new StringBuilder();
        WriteExpr(sb, expr);
        return sb.ToString();
    }

    /// <summary>The SQL text of the node.</summary>
    public static string Format(QueryExpr query)
    {
        var sb = new StringBuilder();
        WriteQuery(sb, query);
        return sb.ToString();
    }

    private static void WriteOptions(StringBuilder sb, IReadOnlyList<OptionPair> options, Func<string, bool>? isSecret = null)
    {
        sb.Append('(');
        for (var i = 0; i < options.Count; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(Identifiers.QuoteString(options[i].Key)).Append(" = ")
              .Append(Identifiers.QuoteString(isSecret?.Invoke(options[i].Key) == true ? "******" : options[i].Value));
        }
        sb.Append(')');
    }

    private static void WriteStatement(StringBuilder sb, Statement s)
    {
        switch (s)
        {
            case QueryStatement q: WriteQuery(sb, q.Query); break;
            case InsertStatement ins:
                sb.Append(ins.Overwrite ? "INSERT OVERWRITE " : "INSERT INTO ").Append(ins.Target);
                if (ins.Columns is not null) sb.Append(" (").Append(string.Join(", ", ins.Columns.Select(Identifiers.Quote))).Append(')');
                sb.Append(' ');
                WriteQuery(sb, ins.Source);
                break;
            case StatementSetStatement set:
                sb.Append("EXECUTE STATEMENT SET BEGIN ");
                foreach (var i in set.Inserts) { WriteStatement(sb, i); sb.Append("; "); }
                sb.Append("END");
                break;
            case CreateTableStatement ct:
                sb.Append("CREATE ");
                if (ct.Temporary) sb.Append("TEMPORARY ");
                sb.Append("TABLE ");
                if (ct.IfNotExists) sb.Append("IF NOT EXISTS ");
                sb.Append(ct.Name);
                if (ct.Columns.Count > 0 || ct.Watermark is not null || ct.PrimaryKey is not null)
                {
                    sb.Append(" (");
                    var parts = ct.Columns.Select(FormatElement).ToList();
                    if (ct.Watermark is not null) parts.Add($"WATERMARK FOR {Identifiers.Quote(ct.Watermark.Column)} AS {Format(ct.Watermark.Strategy)}");
                    if (ct.PrimaryKey is not null) parts.Add($"PRIMARY KEY ({string.Join(", ", ct.PrimaryKey.Columns.Select(Identifiers.Quote))}) NOT ENFORCED");
                    sb.Append(string.Join(", ", parts)).Append(')');
                }
                if (ct.Comment is not null) sb.Append(" COMMENT ").Append(Identifiers.QuoteString(ct.Comment));
                if (ct.PartitionedBy is not null) sb.Append(" PARTITIONED BY (").Append(string.Join(", ", ct.PartitionedBy.Select(Identifiers.Quote))).Append(')');
                if (ct.Options.Count > 0) { sb.Append(" WITH "); WriteOptions(sb, ct.Options); }
                if (ct.AsQuery is not null) { sb.Append(" AS "); WriteQuery(sb, ct.AsQuery); }
                break;
            case DropTableStatement dt:
                sb.Append("DROP ").Append(dt.Temporary ? "TEMPORARY " : "").Append("TABLE ").Append(dt.IfExists ? "IF EXISTS " : "").Append(dt.Name);
                break;
            case AlterTableStatement at:
                sb.Append("ALTER TABLE ").Append(at.Name);
                if (at.RenameTo is not null) sb.Append(" RENAME TO ").Append(at.RenameTo);
                else if (at.Reset.Count > 0) sb.Append(" RESET (").Append(string.Join(", ", at.Reset.Select(Identifiers.QuoteString))).Append(')');
                else { sb.Append(" SET "); WriteOptions(sb, at.Set); }
                break;
            case CreateViewStatement cv:
                sb.Append("CREATE ").Append(cv.Temporary ? "TEMPORARY " : "").Append("VIEW ").Append(cv.IfNotExists ? "IF NOT EXISTS " : "").Append(cv.Name);
                if (cv.Columns is not null) sb.Append(" (").Append(string.Join(", ", cv.Columns.Select(Identifiers.Quote))).Append(')');
                if (cv.Comment is not null) sb.Append(" COMMENT ").Append(Identifiers.QuoteString(cv.Comment));
                sb.Append(" AS ");
                WriteQuery(sb, cv.Query);
                break;
            case DropViewStatement dv:
                sb.Append("DROP ").Append(dv.Temporary ? "TEMPORARY " : "").Append("VIEW ").Append(dv.IfExists ? "IF EXISTS " : "").Append(dv.Name);
                break;
            case SetStatement set:
                sb.Append("SET");
                if (set.Key is not null) sb.Append(' ').Append(Identifiers.QuoteString(set.Key)).Append(" = ").Append(Identifiers.QuoteString(set.Value ?? ""));
                break;
            case ResetStatement rs:
                sb.Append("RESET");
                if (rs.Key is not null) sb.Append(' ').Append(Identifiers.QuoteString(rs.Key));
                break;
            case ShowStatement sh:
                sb.Append("SHOW ").Append(sh.What);
                if (sh.From is not null) sb.Append(" FROM ").Append(sh.From);
                if (sh.LikePattern is not null) sb.Append(sh.NotLike ? " NOT LIKE " : " LIKE ").Append(Identifiers.QuoteString(sh.LikePattern));
                break;
            case ShowCreateStatement sc: sb.Append("SHOW CREATE ").Append(sc.ObjectKind).Append(' ').Append(sc.Name); break;
            case DescribeStatement d:
                sb.Append("DESCRIBE ");
                if (d.ObjectKind.Length > 0) sb.Append(d.ObjectKind).Append(' ');
                sb.Append(d.Name);
                break;
            case ExplainStatement ex: sb.Append("EXPLAIN "); WriteStatement(sb, ex.Inner); break;
            case UseStatement u: sb.Append(u.Catalog ? "USE CATALOG " : "USE ").Append(u.Name); break;
            case CreateConnectionStatement c:
                sb.Append(c.OrReplace ? "CREATE OR REPLACE CONNECTION " : "CREATE CONNECTION ").Append(c.IfNotExists ? "IF NOT EXISTS " : "").Append(c.Name);
                if (c.Comment is not null) sb.Append(" COMMENT ").Append(Identifiers.QuoteString(c.Comment));
                sb.Append(" WITH ");
                WriteOptions(sb, c.Options, secretKeys);
                break;
            case AlterConnectionStatement a:
                sb.Append("ALTER CONNECTION ").Append(a.IfExists ? "IF EXISTS " : "").Append(a.Name).Append(" SET ");
                WriteOptions(sb, a.Set, secretKeys);
                break;
            case DropConnectionStatement d: sb.Append("DROP CONNECTION ").Append(d.IfExists ? "IF EXISTS " : "").Append(d.Name); break;
            case CreateModelStatement m:
                sb.Append("CREATE MODEL ").Append(m.IfNotExists ? "IF NOT EXISTS " : "").Append(m.Name);
                if (m.Input is not null) sb.Append(" INPUT (").Append(string.Join(", ", m.Input.Select(FormatElement))).Append(')');
                if (m.Output is not null) sb.Append(" OUTPUT (").Append(string.Join(", ", m.Output.Select(FormatElement))).Append(')');
                if (m.Comment is not null) sb.Append(" COMMENT ").Append(Identifiers.QuoteString(m.Comment));
                sb.Append(" WITH ");
                WriteOptions(sb, m.Options, secretKeys);
                if (m.AsQuery is not null) { sb.Append(" AS "); WriteQuery(sb, m.AsQuery); }
                break;
            case AlterModelStatement a:
                sb.Append("ALTER MODEL ").Append(a.IfExists ? "IF EXISTS " : "").Append(a.Name);
                if (a.RenameTo is not null) sb.Append(" RENAME TO ").Append(a.RenameTo);
                else if (a.Reset.Count > 0) sb.Append(" RESET (").Append(string.Join(", ", a.Reset.Select(Identifiers.QuoteString))).Append(')');
                else { sb.Append(" SET "); WriteOptions(sb, a.Set, secretKeys); }
                break;
            case DropModelStatement d: sb.Append("DROP MODEL ").Append(d.IfExists ? "IF EXISTS " : "").Append(d.Name); break;
            default: throw new NotSupportedException($"No formatter for {s.GetType().Name}");
        }
    }

    /// <summary>A column definition as SHOW CREATE TABLE writes it.</summary>
    public static string FormatElement(TableElement e)
    {
        var sb = new StringBuilder(Identifiers.AlwaysQuote(e.Name)).Append(' ');
        switch (e)
        {
            case PhysicalColumnDef p: sb.Append(p.Type); break;
            case ComputedColumnDef c: sb.Append("AS ").Append(Format(c.Expression)); break;
            case MetadataColumnDef m:
                sb.Append(m.Type).Append(" METADATA");
                if (m.Key is not null) sb.Append(" FROM ").Append(Identifiers.QuoteString(m.Key));
                if (m.IsVirtual) sb.Append(" VIRTUAL");
                break;
        }
        if (e.Comment is not null) sb.Append(" COMMENT ").Append(Identifiers.QuoteString(e.Comment));
        return sb.ToString();
    }

    private static void WriteQuery(StringBuilder sb, QueryExpr q)
    {
        switch (q)
        {
            case SelectQuery s:
                sb.Append("SELECT ");
                if (s.Distinct) sb.Append("DISTINCT ");
                for (var i = 0; i < s.Items.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    WriteExpr(sb, s.Items[i].Expr);
                    if (s.Items[i].Alias is { } a) sb.Append(" AS ").Append(Identifiers.Quote(a));
                }
                if (s.From is not null) { sb.Append(" FROM "); WriteTableRef(sb, s.From); }
                if (s.Where is not null) { sb.Append(" WHERE "); WriteExpr(sb, s.Where); }
                if (s.GroupBy.Count > 0) { sb.Append(" GROUP BY "); WriteList(sb, s.GroupBy); }
                if (s.Having is not null) { sb.Append(" HAVING "); WriteExpr(sb, s.Having); }
                break;
            case SetOperationQuery so:
                sb.Append('(');
                WriteQuery(sb, so.Left);
                sb.Append(") ").Append(so.Operator.ToString().ToUpperInvariant()).Append(so.All ? " ALL (" : " (");
                WriteQuery(sb, so.Right);
                sb.Append(')');
                break;
            case ValuesQuery v:
                sb.Append("VALUES ");
                for (var i = 0; i < v.Rows.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    sb.Append('(');
                    WriteList(sb, v.Rows[i]);
                    sb.Append(')');
                }
                break;
            case OrderedQuery o:
                sb.Append('(');
                WriteQuery(sb, o.Body);
                sb.Append(')');
                if (o.OrderBy.Count > 0)
                {
                    sb.Append(" ORDER BY ");
                    for (var i = 0; i < o.OrderBy.Count; i++)
                    {
                        if (i > 0) sb.Append(", ");
                        WriteExpr(sb, o.OrderBy[i].Expr);
                        if (o.OrderBy[i].Descending) sb.Append(" DESC");
                        if (o.OrderBy[i].NullsFirst is { } nf) sb.Append(nf ? " NULLS FIRST" : " NULLS LAST");
                    }
                }
                if (o.Limit is not null) { sb.Append(" LIMIT "); WriteExpr(sb, o.Limit); }
                if (o.Offset is not null) { sb.Append(" OFFSET "); WriteExpr(sb, o.Offset); }
                break;
            case WithQuery w:
                sb.Append("WITH ");
                for (var i = 0; i < w.Ctes.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    sb.Append(Identifiers.Quote(w.Ctes[i].Name));
                    if (w.Ctes[i].Columns is { } cols) sb.Append(" (").Append(string.Join(", ", cols.Select(Identifiers.Quote))).Append(')');
                    sb.Append(" AS (");
                    WriteQuery(sb, w.Ctes[i].Query);
                    sb.Append(')');
                }
                sb.Append(' ');
                WriteQuery(sb, w.Body);
                break;
        }
    }

    private static void WriteAlias(StringBuilder sb, string? alias, IReadOnlyList<string>? cols)
    {
        if (alias is null) return;
        sb.Append(" AS ").Append(Identifiers.Quote(alias));
        if (cols is not null) sb.Append('(').Append(string.Join(", ", cols.Select(Identifiers.Quote))).Append(')');
    }

    private static void WriteTableRef(StringBuilder sb, TableRef t)
    {
        switch (t)
        {
            case NamedTableRef n:
                sb.Append(n.Name);
                WriteAlias(sb, n.Alias, null);
                break;
            case SubqueryTableRef s:
                sb.Append('(');
                WriteQuery(sb, s.Query);
                sb.Append(')');
                WriteAlias(sb, s.Alias, s.ColumnAliases);
                break;
            case JoinTableRef j:
                WriteTableRef(sb, j.Left);
                sb.Append(j.Kind switch
                {
                    JoinKind.Comma => ", ",
                    JoinKind.Cross => " CROSS JOIN ",
                    JoinKind.Inner => " JOIN ",
                    JoinKind.Left => " LEFT JOIN ",
                    JoinKind.Right => " RIGHT JOIN ",
                    _ => " FULL JOIN ",
                });
                if (j.Right is JoinTableRef) sb.Append('(');
                WriteTableRef(sb, j.Right);
                if (j.Right is JoinTableRef) sb.Append(')');
                if (j.On is not null) { sb.Append(" ON "); WriteExpr(sb, j.On); }
                break;
            case LateralTableRef l:
                sb.Append("LATERAL TABLE(");
                WriteExpr(sb, l.Call);
                sb.Append(')');
                WriteAlias(sb, l.Alias, l.ColumnAliases);
                break;
            case UnnestTableRef u:
                sb.Append("UNNEST(");
                WriteList(sb, u.Arrays);
                sb.Append(')');
                if (u.WithOrdinality) sb.Append(" WITH ORDINALITY");
                WriteAlias(sb, u.Alias, u.ColumnAliases);
                break;
            case TableFunctionRef f:
                if (f.Wrapped) sb.Append("TABLE(");
                WriteExpr(sb, f.Call);
                if (f.Wrapped) sb.Append(')');
                WriteAlias(sb, f.Alias, f.ColumnAliases);
                break;
        }
    }

    private static void WriteList(StringBuilder sb, IReadOnlyList<Expr> items)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0) sb.Append(", ");
            WriteExpr(sb, items[i]);
        }
    }

    private static void WriteExpr(StringBuilder sb, Expr e)
    {
        switch (e)
        {
            case LiteralExpr l:
                sb.Append(l.Kind switch
                {
                    LiteralKind.String => Identifiers.QuoteString(l.Text),
                    LiteralKind.Bytes => "X'" + l.Text + "'",
                    LiteralKind.Date => "DATE " + Identifiers.QuoteString(l.Text),
                    LiteralKind.Time => "TIME " + Identifiers.QuoteString(l.Text),
                    LiteralKind.Timestamp => "TIMESTAMP " + Identifiers.QuoteString(l.Text),
                    LiteralKind.TimestampLtz => "TIMESTAMP_LTZ " + Identifiers.QuoteString(l.Text),
                    _ => l.Text,
                });
                break;
            case IntervalExpr iv:
                sb.Append("INTERVAL ");
                if (iv.Negative) sb.Append('-');
                sb.Append(Identifiers.QuoteString(iv.Text));
                if (iv.From is { } f) sb.Append(' ').Append(f.ToString().ToUpperInvariant());
                if (iv.To is { } to) sb.Append(" TO ").Append(to.ToString().ToUpperInvariant());
                break;
            case ColumnRefExpr c: sb.Append(string.Join(".", c.Parts.Select(Identifiers.Quote))); break;
            case StarExpr s: sb.Append(s.Qualifier is null ? "*" : s.Qualifier + ".*"); break;
            case FunctionCallExpr fc when fc.UpperName == "POSITION" && fc.Args.Count == 2:
                sb.Append("POSITION(");
                WriteExpr(sb, fc.Args[0]);
                sb.Append(" IN ");
                WriteExpr(sb, fc.Args[1]);
                sb.Append(')');
                break;
            case FunctionCallExpr fc when fc.Args.Count == 0 && fc.UpperName is "CURRENT_TIMESTAMP" or "CURRENT_DATE" or "CURRENT_TIME" or "LOCALTIMESTAMP" or "LOCALTIME" or "CURRENT_ROW_TIMESTAMP":
                sb.Append(fc.UpperName);
                break;
            case FunctionCallExpr fc:
                sb.Append(fc.Name).Append('(');
                if (fc.Distinct) sb.Append("DISTINCT ");
                WriteList(sb, fc.Args);
                sb.Append(')');
                break;
            case BinaryExpr b:
                sb.Append('(');
                WriteExpr(sb, b.Left);
                sb.Append(' ').Append(OpText(b.Op)).Append(' ');
                WriteExpr(sb, b.Right);
                sb.Append(')');
                break;
            case UnaryExpr u:
                sb.Append(u.Op switch { UnaryOp.Negate => "(- ", UnaryOp.Plus => "(+ ", _ => "(NOT " });
                WriteExpr(sb, u.Operand);
                sb.Append(')');
                break;
            case CaseExpr c:
                sb.Append("CASE");
                if (c.Operand is not null) { sb.Append(' '); WriteExpr(sb, c.Operand); }
                foreach (var w in c.Whens)
                {
                    sb.Append(" WHEN ");
                    WriteExpr(sb, w.When);
                    sb.Append(" THEN ");
                    WriteExpr(sb, w.Then);
                }
                if (c.Else is not null) { sb.Append(" ELSE "); WriteExpr(sb, c.Else); }
                sb.Append(" END");
                break;
            case CastExpr c:
                sb.Append(c.IsTry ? "TRY_CAST(" : "CAST(");
                WriteExpr(sb, c.Operand);
                sb.Append(" AS ").Append(c.TargetType).Append(')');
                break;
            case BetweenExpr b:
                sb.Append('(');
                WriteExpr(sb, b.Operand);
                sb.Append(b.Negated ? " NOT BETWEEN " : " BETWEEN ");
                WriteExpr(sb, b.Low);
                sb.Append(" AND ");
                WriteExpr(sb, b.High);
                sb.Append(')');
                break;
            case InListExpr i:
                sb.Append('(');
                WriteExpr(sb, i.Operand);
                sb.Append(i.Negated ? " NOT IN (" : " IN (");
                WriteList(sb, i.Items);
                sb.Append("))");
                break;
            case LikeExpr l:
                sb.Append('(');
                WriteExpr(sb, l.Operand);
                sb.Append(l.Negated ? " NOT LIKE " : " LIKE ");
                WriteExpr(sb, l.Pattern);
                if (l.Escape is not null) { sb.Append(" ESCAPE "); WriteExpr(sb, l.Escape); }
                sb.Append(')');
                break;
            case IsExpr i:
                sb.Append('(');
                WriteExpr(sb, i.Operand);
                sb.Append(i.Negated ? " IS NOT " : " IS ").Append(i.Test.ToString().ToUpperInvariant()).Append(')');
                break;
            case IndexExpr ix:
                WriteExpr(sb, ix.Target);
                sb.Append('[');
                WriteExpr(sb, ix.Index);
                sb.Append(']');
                break;
            case FieldAccessExpr fa:
                sb.Append('(');
                WriteExpr(sb, fa.Target);
                sb.Append(").").Append(Identifiers.Quote(fa.Field));
                break;
            case ExtractExpr ex:
                sb.Append("EXTRACT(").Append(ex.Unit).Append(" FROM ");
                WriteExpr(sb, ex.Source);
                sb.Append(')');
                break;
            case TrimExpr t:
                sb.Append("TRIM(").Append(t.Mode).Append(' ');
                if (t.Characters is not null) { WriteExpr(sb, t.Characters); sb.Append(' '); }
                sb.Append("FROM ");
                WriteExpr(sb, t.Source);
                sb.Append(')');
                break;
            case ConstructorExpr c:
                sb.Append(c.Kind switch { ConstructorKind.Array => "ARRAY[", ConstructorKind.Map => "MAP[", _ => "ROW(" });
                WriteList(sb, c.Items);
                sb.Append(c.Kind == ConstructorKind.Row ? ')' : ']');
                break;
            case TableArgExpr ta: sb.Append("TABLE ").Append(ta.Table); break;
            case DescriptorExpr d: sb.Append("DESCRIPTOR(").Append(string.Join(", ", d.Columns.Select(Identifiers.Quote))).Append(')'); break;
            case ModelArgExpr m: sb.Append("MODEL ").Append(m.Model); break;
            case SubqueryExpr sq:
                sb.Append('(');
                WriteQuery(sb, sq.Query);
                sb.Append(')');
                break;
            default: throw new NotSupportedException($"No formatter for {e.GetType().Name}");
        }
    }

    /// <summary>The symbol of a binary operator.</summary>
    public static string OpText(BinaryOp op) => op switch
    {
        BinaryOp.Add => "+",
        BinaryOp.Subtract => "-",
        BinaryOp.Multiply => "*",
        BinaryOp.Divide => "/",
        BinaryOp.Modulo => "%",
        BinaryOp.Concat => "||",
        BinaryOp.Equal => "=",
        BinaryOp.NotEqual => "<>",
        BinaryOp.Less => "<",
        BinaryOp.LessOrEqual => "<=",
        BinaryOp.Greater => ">",
        BinaryOp.GreaterOrEqual => ">=",
        BinaryOp.And => "AND",
        _ => "OR",
    };
}
