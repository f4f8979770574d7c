using Runnel.Core.Errors;
using Runnel.Sql.Ast;

namespace Runnel.Sql.Parsing;

public sealed partial class Parser
{
    /// <summary>query := [WITH ctes] setExpr [ORDER BY ..] [LIMIT n] [OFFSET n]</summary>
    private QueryExpr ParseQueryExpr()
    {
        var pos = Peek.Position;
        if (TryConsumeWord("WITH"))
        {
            var ctes = new List<CommonTableExpr>();
            do
            {
                var name = ExpectIdentifier("a name for the WITH query");
                List<string>? cols = Peek.IsSymbol("(") ? ParseIdentifierList() : null;
                ExpectWord("AS");
                ExpectSymbol("(");
                var q = ParseQueryExpr();
                ExpectSymbol(")");
                ctes.Add(new CommonTableExpr(name, cols, q));
            } while (TryConsumeSymbol(","));
            return new WithQuery(ctes, ParseQueryExpr()) { Position = pos };
        }
        var body = ParseSetExpr();
        var order = new List<OrderItem>();
        if (TryConsumeWords("ORDER", "BY"))
        {
            do
            {
                var e = ParseExpr();
                var desc = false;
                if (TryConsumeWord("DESC")) desc = true;
                else TryConsumeWord("ASC");
                bool? nullsFirst = null;
                if (TryConsumeWords("NULLS", "FIRST")) nullsFirst = true;
                else if (TryConsumeWords("NULLS", "LAST")) nullsFirst = false;
                order.Add(new OrderItem(e, desc, nullsFirst));
            } while (TryConsumeSymbol(","));
        }
        Expr? limit = null, offset = null;
        if (TryConsumeWord("LIMIT")) limit = ParseExpr();
        if (TryConsumeWord("OFFSET"))
        {
            offset = ParseExpr();
            if (!TryConsumeWord("ROWS")) TryConsumeWord("ROW");
        }
        if (TryConsumeWord("FETCH"))
        {
            if (!TryConsumeWord("FIRST")) ExpectWord("NEXT");
            limit = ParseExpr();
            if (!TryConsumeWord("ROWS")) ExpectWord("ROW");
            ExpectWord("ONLY");
        }
        if (order.Count == 0 && limit is null && offset is null) return body;
        return new OrderedQuery(body, order, limit, offset) { Position = pos };
    }

    private QueryExpr ParseSetExpr()
    {
        var left = ParseQueryTerm();
        while (true)
        {
            var pos = Peek.Position;
            SetOperator op;
            if (TryConsumeWord("UNION")) op = SetOperator.Union;
            else if (TryConsumeWord("INTERSECT")) op = SetOperator.Intersect;
            else if (TryConsumeWord("EXCEPT") || TryConsumeWord("MINUS")) op = SetOperator.Except;
            else return left;
            var all = TryConsumeWord("ALL");
            if (!all) TryConsumeWord("DISTINCT");
            left = new SetOperationQuery(op, all, left, ParseQueryTerm()) { Position = pos };
        }
    }

    private QueryExpr ParseQueryTerm()
    {
        var pos = Peek.Position;
        if (Peek.IsSymbol("("))
        {
            _pos++;
            var q = ParseQueryExpr();
            ExpectSymbol(")");
            return q;
        }
        if (IsWord("VALUES")) return ParseValues();
        if (!IsWord("SELECT")) throw Unexpected("SELECT, VALUES or WITH");
        _pos++;
        var distinct = TryConsumeWord("DISTINCT");
        if (!distinct) TryConsumeWord("ALL");
        var items = new List<SelectItem>();
        do items.Add(ParseSelectItem()); while (TryConsumeSymbol(","));
        TableRef? from = null;
        if (TryConsumeWord("FROM")) from = ParseFrom();
        Expr? where = null;
        if (TryConsumeWord("WHERE")) where = ParseExpr();
        var groupBy = new List<Expr>();
        if (TryConsumeWords("GROUP", "BY"))
            do groupBy.Add(ParseExpr()); while (TryConsumeSymbol(","));
        Expr? having = null;
        if (TryConsumeWord("HAVING")) having = ParseExpr();
        return new SelectQuery(distinct, items, from, where, groupBy, having) { Position = pos };
    }

    private ValuesQuery ParseValues()
    {
        var pos = Peek.Position;
        ExpectWord("VALUES");
        var rows = new List<IReadOnlyList<Expr>>();
        do
        {
            TryConsumeWord("ROW");
            ExpectSymbol("(");
            var row = new List<Expr> { ParseExpr() };
            while (TryConsumeSymbol(",")) row.Add(ParseExpr());
            ExpectSymbol(")");
            if (rows.Count > 0 && rows[0].Count != row.Count)
                throw new SqlException($"VALUES rows must have the same number of values: the first has {rows[0].Count}, this one {row.Count}", pos);
            rows.Add(row);
        } while (TryConsumeSymbol(","));
        return new ValuesQuery(rows) { Position = pos };
    }

    private SelectItem ParseSelectItem()
    {
        var pos = Peek.Position;
        if (Peek.IsSymbol("*"))
        {
            _pos++;
            return new SelectItem(new StarExpr(null) { Position = pos }, null);
        }
        // t.* and cat.db.t.*
        if (PeekIsIdentifier)
        {
            var k = 0;
            while (PeekAt(k).Kind is TokenKind.Word or TokenKind.QuotedIdentifier && PeekAt(k + 1).IsSymbol(".")) k += 2;
            if (k > 0 && PeekAt(k).IsSymbol("*"))
            {
                var parts = new List<string>();
                for (var j = 0; j < k; j += 2) parts.Add(PeekAt(j).Text);
                _pos += k + 1;
                return new SelectItem(new StarExpr(new QualifiedName(parts)) { Position = pos }, null);
            }
        }
        var e = ParseExpr();
        return new SelectItem(e, ParseAlias());
    }

    /// <summary>[AS] alias — an implicit alias is any non-reserved word.</summary>
    private string? ParseAlias()
    {
        if (TryConsumeWord("AS"))
        {
            if (Peek.Kind == TokenKind.String) return Next().Text;
            return ExpectIdentifier("an alias");
        }
        if (PeekIsIdentifier && !IsClauseWord(Peek)) return Next().Text;
        return null;
    }

    /// <summary>Non-reserved words that still end an item (so they are never taken as implicit aliases).</summary>
    private static bool IsClauseWord(Token t) => t.Kind == TokenKind.Word && t.Text.ToUpperInvariant() is
        "WATERMARK" or "PARTITIONED" or "COMMENT" or "OVERWRITE" or "MATCH_RECOGNIZE" or "FETCH";

    private TableRef ParseFrom()
    {
        var left = ParseJoinChain();
        while (Peek.IsSymbol(","))
        {
            var pos = Next().Position;
            left = new JoinTableRef(JoinKind.Comma, left, ParseJoinChain(), null) { Position = pos };
        }
        return left;
    }

    private TableRef ParseJoinChain()
    {
        var left = ParseTablePrimary();
        while (true)
        {
            var pos = Peek.Position;
            JoinKind kind;
            if (TryConsumeWords("CROSS", "JOIN")) kind = JoinKind.Cross;
            else if (TryConsumeWord("JOIN") || TryConsumeWords("INNER", "JOIN")) kind = JoinKind.Inner;
            else if (TryConsumeWords("LEFT", "OUTER", "JOIN") || TryConsumeWords("LEFT", "JOIN")) kind = JoinKind.Left;
            else if (TryConsumeWords("RIGHT", "OUTER", "JOIN") || TryConsumeWords("RIGHT", "JOIN")) kind = JoinKind.Right;
            else if (TryConsumeWords("FULL", "OUTER", "JOIN") || TryConsumeWords("FULL", "JOIN")) kind = JoinKind.Full;
            else return left;
            var right = ParseTablePrimary();
            Expr? on = null;
            if (kind != JoinKind.Cross)
            {
                if (TryConsumeWord("ON")) on = ParseExpr();
                else if (right is not (LateralTableRef or UnnestTableRef)) throw Unexpected("ON after JOIN");
            }
            left = new JoinTableRef(kind, left, right, on) { Position = pos };
        }
    }

    private TableRef ParseTablePrimary()
    {
        var pos = Peek.Position;
        if (TryConsumeWord("LATERAL"))
        {
            if (TryConsumeWord("TABLE"))
            {
                ExpectSymbol("(");
                var call = ParseExpr();
                ExpectSymbol(")");
                if (call is not FunctionCallExpr fc) throw new SqlException("LATERAL TABLE expects a table function call", pos);
                var (alias, cols) = ParseTableAlias();
                return new LateralTableRef(fc, alias, cols) { Position = pos };
            }
            if (Peek.IsSymbol("("))
            {
                _pos++;
                var q = ParseQueryExpr();
                ExpectSymbol(")");
                var (alias, cols) = ParseTableAlias();
                return new SubqueryTableRef(q, alias, cols) { Position = pos };
            }
            throw Unexpected("TABLE or a subquery after LATERAL");
        }
        if (TryConsumeWord("UNNEST"))
        {
            ExpectSymbol("(");
            var arrays = new List<Expr> { ParseExpr() };
            while (TryConsumeSymbol(",")) arrays.Add(ParseExpr());
            ExpectSymbol(")");
            var ord = TryConsumeWords("WITH", "ORDINALITY");
            var (alias, cols) = ParseTableAlias();
            return new UnnestTableRef(arrays, ord, alias, cols) { Position = pos };
        }
        if (IsWord("TABLE") && PeekAt(1).IsSymbol("("))
        {
            _pos += 2;
            var call = ParseExpr();
            ExpectSymbol(")");
            if (call is not FunctionCallExpr fc) throw new SqlException("TABLE(..) expects a table-valued function call", pos);
            var (alias, cols) = ParseTableAlias();
            return new TableFunctionRef(fc, true, alias, cols) { Position = pos };
        }
        if (Peek.IsSymbol("("))
        {
            // A parenthesised query, or a parenthesised join.
            if (IsWordAt(1, "SELECT") || IsWordAt(1, "WITH") || IsWordAt(1, "VALUES") || PeekAt(1).IsSymbol("("))
            {
                var save = _pos;
                _pos++;
                if (IsWord("SELECT") || IsWord("WITH") || IsWord("VALUES") || Peek.IsSymbol("("))
                {
                    try
                    {
                        var q = ParseQueryExpr();
                        ExpectSymbol(")");
                        var (alias, cols) = ParseTableAlias();
                        return new SubqueryTableRef(q, alias, cols) { Position = pos };
                    }
                    catch (SqlException) when (PeekAt(0).Kind != TokenKind.End)
                    {
                        _pos = save + 1;
                    }
                }
                _pos = save + 1;
            }
            else _pos++;
            var inner = ParseFrom();
            ExpectSymbol(")");
            return inner;
        }
        var nameStart = _pos;
        var name = ParseQualifiedName("a table name");
        if (Peek.IsSymbol("("))
        {
            // A table-valued function without TABLE(..): TUMBLE(TABLE t, ...), ML_PREDICT(TABLE t, MODEL m, ...).
            _pos = nameStart;
            var call = (FunctionCallExpr)ParsePrimary();
            var (alias, cols) = ParseTableAlias();
            return new TableFunctionRef(call, false, alias, cols) { Position = pos };
        }
        // Flink's dynamic table options hint /*+ OPTIONS(..) */ is a comment to the lexer and so ignored here.
        var a = ParseAlias();
        return new NamedTableRef(name, a) { Position = pos };
    }

    private (string? Alias, List<string>? Columns) ParseTableAlias()
    {
        var alias = ParseAlias();
        List<string>? cols = null;
        if (alias is not null && Peek.IsSymbol("(")) cols = ParseIdentifierList();
        return (alias, cols);
    }
}
