using Runnel.Core.Errors;
using Runnel.Core.Types;
using Runnel.Sql.Ast;

namespace Runnel.Sql.Parsing;

public sealed partial class Parser
{
    // Binding powers, lowest first. Comparison-like operators (=, <, LIKE, IN, BETWEEN, IS) share one level.
    private const int BpOr = 1;
    private const int BpAnd = 2;
    private const int BpNot = 3;
    private const int BpCompare = 4;
    private const int BpConcat = 5;
    private const int BpAdd = 6;
    private const int BpMul = 7;
    private const int BpUnary = 8;

    private Expr ParseExpr(int minBp = 0)
    {
        var left = ParsePrefix();
        while (true)
        {
            var t = Peek;
            var pos = t.Position;
            if (t.Kind == TokenKind.Symbol)
            {
                var (op, bp) = t.Text switch
                {
                    "=" or "==" => (BinaryOp.Equal, BpCompare),
                    "<>" or "!=" => (BinaryOp.NotEqual, BpCompare),
                    "<" => (BinaryOp.Less, BpCompare),
                    "<=" => (BinaryOp.LessOrEqual, BpCompare),
                    ">" => (BinaryOp.Greater, BpCompare),
                    ">=" => (BinaryOp.GreaterOrEqual, BpCompare),
                    "||" => (BinaryOp.Concat, BpConcat),
                    "+" => (BinaryOp.Add, BpAdd),
                    "-" => (BinaryOp.Subtract, BpAdd),
                    "*" => (BinaryOp.Multiply, BpMul),
                    "/" => (BinaryOp.Divide, BpMul),
                    "%" => (BinaryOp.Modulo, BpMul),
                    _ => ((BinaryOp)(-1), -1),
                };
                if (bp < 0 || bp <= minBp) return left;
                _pos++;
                left = new BinaryExpr(op, left, ParseExpr(bp)) { Position = pos };
                continue;
            }
            if (t.Kind != TokenKind.Word) return left;
            var w = t.Text.ToUpperInvariant();
            if (w == "OR" && BpOr > minBp) { _pos++; left = new BinaryExpr(BinaryOp.Or, left, ParseExpr(BpOr)) { Position = pos }; continue; }
            if (w == "AND" && BpAnd > minBp) { _pos++; left = new BinaryExpr(BinaryOp.And, left, ParseExpr(BpAnd)) { Position = pos }; continue; }
            if (BpCompare <= minBp) return left;
            var negated = false;
            if (w == "NOT" && (IsWordAt(1, "LIKE") || IsWordAt(1, "IN") || IsWordAt(1, "BETWEEN") || IsWordAt(1, "SIMILAR")))
            {
                negated = true;
                _pos++;
                w = Peek.Text.ToUpperInvariant();
            }
            switch (w)
            {
                case "IS":
                {
                    _pos++;
                    var not = TryConsumeWord("NOT");
                    IsTest test;
                    if (TryConsumeWord("NULL")) test = IsTest.Null;
                    else if (TryConsumeWord("TRUE")) test = IsTest.True;
                    else if (TryConsumeWord("FALSE")) test = IsTest.False;
                    else if (TryConsumeWord("UNKNOWN")) test = IsTest.Unknown;
                    else if (TryConsumeWords("DISTINCT", "FROM"))
                    {
                        var right = ParseExpr(BpCompare);
                        // a IS DISTINCT FROM b  ==  NOT (a IS NOT DISTINCT FROM b); kept as a function call.
                        left = new FunctionCallExpr(new QualifiedName(not ? "IS_NOT_DISTINCT_FROM" : "IS_DISTINCT_FROM"), [left, right]) { Position = pos };
                        continue;
                    }
                    else throw Unexpected("NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS");
                    left = new IsExpr(left, test, not) { Position = pos };
                    continue;
                }
                case "LIKE":
                case "SIMILAR":
                {
                    _pos++;
                    if (w == "SIMILAR") ExpectWord("TO");
                    var pattern = ParseExpr(BpCompare);
                    Expr? escape = null;
                    if (TryConsumeWord("ESCAPE")) escape = ParseExpr(BpCompare);
                    left = w == "LIKE"
                        ? new LikeExpr(left, pattern, escape, negated) { Position = pos }
                        : new FunctionCallExpr(new QualifiedName(negated ? "NOT_SIMILAR_TO" : "SIMILAR_TO"), [left, pattern]) { Position = pos };
                    continue;
                }
                case "IN":
                {
                    _pos++;
                    ExpectSymbol("(");
                    if (IsWord("SELECT") || IsWord("WITH") || IsWord("VALUES"))
                    {
                        var q = ParseQueryExpr();
                        ExpectSymbol(")");
                        left = new FunctionCallExpr(new QualifiedName(negated ? "NOT_IN_SUBQUERY" : "IN_SUBQUERY"), [left, new SubqueryExpr(q, "IN") { Position = pos }]) { Position = pos };
                        continue;
                    }
                    var items = new List<Expr> { ParseExpr() };
                    while (TryConsumeSymbol(",")) items.Add(ParseExpr());
                    ExpectSymbol(")");
                    left = new InListExpr(left, items, negated) { Position = pos };
                    continue;
                }
                case "BETWEEN":
                {
                    _pos++;
                    if (!TryConsumeWord("ASYMMETRIC")) TryConsumeWord("SYMMETRIC");
                    var low = ParseExpr(BpCompare);
                    ExpectWord("AND");
                    var high = ParseExpr(BpCompare);
                    left = new BetweenExpr(left, low, high, negated) { Position = pos };
                    continue;
                }
                default:
                    if (negated) throw Unexpected("LIKE, IN or BETWEEN after NOT");
                    return left;
            }
        }
    }

    private Expr ParsePrefix()
    {
        var pos = Peek.Position;
        if (Peek.IsSymbol("-"))
        {
            _pos++;
            var operand = ParseExpr(BpUnary);
            if (operand is LiteralExpr { Kind: LiteralKind.Integer or LiteralKind.Decimal or LiteralKind.Double } lit && !lit.Text.StartsWith('-'))
                return new LiteralExpr(lit.Kind, "-" + lit.Text) { Position = pos };
            if (operand is IntervalExpr iv) return iv with { Negative = !iv.Negative, Position = pos };
            return new UnaryExpr(UnaryOp.Negate, operand) { Position = pos };
        }
        if (Peek.IsSymbol("+"))
        {
            _pos++;
            return ParseExpr(BpUnary);
        }
        if (IsWord("NOT"))
        {
            _pos++;
            return new UnaryExpr(UnaryOp.Not, ParseExpr(BpNot)) { Position = pos };
        }
        return ParsePostfix(ParsePrimary());
    }

    private Expr ParsePostfix(Expr e)
    {
        while (true)
        {
            var pos = Peek.Position;
            if (TryConsumeSymbol("["))
            {
                var idx = ParseExpr();
                ExpectSymbol("]");
                e = new IndexExpr(e, idx) { Position = pos };
            }
            else if (Peek.IsSymbol(".") && PeekAt(1).Kind is TokenKind.Word or TokenKind.QuotedIdentifier)
            {
                _pos++;
                var field = Next().Text;
                e = e is ColumnRefExpr c ? new ColumnRefExpr([.. c.Parts, field]) { Position = c.Position } : new FieldAccessExpr(e, field) { Position = pos };
            }
            else return e;
        }
    }

    private Expr ParsePrimary()
    {
        var t = Peek;
        var pos = t.Position;
        switch (t.Kind)
        {
            case TokenKind.Integer:
                _pos++;
                return new LiteralExpr(LiteralKind.Integer, t.Text) { Position = pos };
            case TokenKind.Decimal:
                _pos++;
                return new LiteralExpr(LiteralKind.Decimal, t.Text) { Position = pos };
            case TokenKind.Double:
                _pos++;
                return new LiteralExpr(LiteralKind.Double, t.Text) { Position = pos };
            case TokenKind.String:
                _pos++;
                var text = t.Text;
                // Adjacent string literals concatenate, as in standard SQL.
                while (Peek.Kind == TokenKind.String) text += Next().Text;
                return new LiteralExpr(LiteralKind.String, text) { Position = pos };
            case TokenKind.HexString:
                _pos++;
                return new LiteralExpr(LiteralKind.Bytes, t.Text) { Position = pos };
            case TokenKind.QuotedIdentifier:
                return ParseIdentifierExpr();
            case TokenKind.Symbol when t.Text == "(":
            {
                _pos++;
                if (IsWord("SELECT") || IsWord("WITH") || IsWord("VALUES"))
                {
                    var q = ParseQueryExpr();
                    ExpectSymbol(")");
                    return new SubqueryExpr(q, "SCALAR") { Position = pos };
                }
                var e = ParseExpr();
                if (TryConsumeSymbol(","))
                {
                    var items = new List<Expr> { e, ParseExpr() };
                    while (TryConsumeSymbol(",")) items.Add(ParseExpr());
                    ExpectSymbol(")");
                    return new ConstructorExpr(ConstructorKind.Row, items) { Position = pos };
                }
                ExpectSymbol(")");
                return e;
            }
            case TokenKind.Word:
                break;
            default:
                throw Unexpected("an expression");
        }

        var w = t.Text.ToUpperInvariant();
        switch (w)
        {
            case "NULL": _pos++; return new LiteralExpr(LiteralKind.Null, "NULL") { Position = pos };
            case "TRUE": _pos++; return new LiteralExpr(LiteralKind.Boolean, "TRUE") { Position = pos };
            case "FALSE": _pos++; return new LiteralExpr(LiteralKind.Boolean, "FALSE") { Position = pos };
            case "UNKNOWN": _pos++; return new LiteralExpr(LiteralKind.Null, "NULL") { Position = pos };
            case "DATE" when PeekAt(1).Kind == TokenKind.String:
                _pos++;
                return new LiteralExpr(LiteralKind.Date, Next().Text) { Position = pos };
            case "TIME" when PeekAt(1).Kind == TokenKind.String:
                _pos++;
                return new LiteralExpr(LiteralKind.Time, Next().Text) { Position = pos };
            case "TIMESTAMP" when PeekAt(1).Kind == TokenKind.String:
                _pos++;
                return new LiteralExpr(LiteralKind.Timestamp, Next().Text) { Position = pos };
            case "TIMESTAMP_LTZ" when PeekAt(1).Kind == TokenKind.String:
                _pos++;
                return new LiteralExpr(LiteralKind.TimestampLtz, Next().Text) { Position = pos };
            case "INTERVAL":
                return ParseInterval();
            case "CASE":
                return ParseCase();
            case "CAST":
            case "TRY_CAST":
            {
                _pos++;
                ExpectSymbol("(");
                var operand = ParseExpr();
                ExpectWord("AS");
                var type = ParseType();
                ExpectSymbol(")");
                return new CastExpr(operand, type, w == "TRY_CAST") { Position = pos };
            }
            case "EXTRACT" when PeekAt(1).IsSymbol("("):
            {
                _pos += 2;
                var unit = ExpectAnyWord().ToUpperInvariant();
                ExpectWord("FROM");
                var src = ParseExpr();
                ExpectSymbol(")");
                return new ExtractExpr(unit, src) { Position = pos };
            }
            case "TRIM" when PeekAt(1).IsSymbol("("):
                return ParseTrim();
            case "POSITION" when PeekAt(1).IsSymbol("("):
            {
                _pos += 2;
                var needle = ParseExpr(BpCompare);
                if (TryConsumeWord("IN"))
                {
                    var hay = ParseExpr();
                    ExpectSymbol(")");
                    return new FunctionCallExpr(new QualifiedName("POSITION"), [needle, hay]) { Position = pos };
                }
                _pos = _tokens.FindIndex(x => x.Offset == t.Offset);
                break;
            }
            case "SUBSTRING" when PeekAt(1).IsSymbol("("):
            {
                var save = _pos;
                _pos += 2;
                var s = ParseExpr();
                if (TryConsumeWord("FROM"))
                {
                    var args = new List<Expr> { s, ParseExpr() };
                    if (TryConsumeWord("FOR")) args.Add(ParseExpr());
                    ExpectSymbol(")");
                    return new FunctionCallExpr(new QualifiedName("SUBSTRING"), args) { Position = pos };
                }
                _pos = save;
                break;
            }
            case "ARRAY" when PeekAt(1).IsSymbol("["):
                _pos += 2;
                return new ConstructorExpr(ConstructorKind.Array, ParseListUntil("]")) { Position = pos };
            case "MAP" when PeekAt(1).IsSymbol("["):
            {
                _pos += 2;
                var items = ParseListUntil("]");
                if (items.Count % 2 != 0) throw new SqlException("MAP[..] needs an even number of arguments: key, value, ...", pos);
                return new ConstructorExpr(ConstructorKind.Map, items) { Position = pos };
            }
            case "ROW" when PeekAt(1).IsSymbol("("):
                _pos += 2;
                return new ConstructorExpr(ConstructorKind.Row, ParseListUntil(")")) { Position = pos };
            case "EXISTS" when PeekAt(1).IsSymbol("("):
            {
                _pos += 2;
                var q = ParseQueryExpr();
                ExpectSymbol(")");
                return new FunctionCallExpr(new QualifiedName("EXISTS"), [new SubqueryExpr(q, "EXISTS") { Position = pos }]) { Position = pos };
            }
            case "TABLE" when PeekAt(1).Kind is TokenKind.Word or TokenKind.QuotedIdentifier:
                _pos++;
                return new TableArgExpr(ParseQualifiedName("a table name")) { Position = pos };
            case "MODEL" when PeekAt(1).Kind is TokenKind.Word or TokenKind.QuotedIdentifier:
                _pos++;
                return new ModelArgExpr(ParseObjectName("a model name")) { Position = pos };
            case "DESCRIPTOR" when PeekAt(1).IsSymbol("("):
                _pos++;
                return new DescriptorExpr(ParseIdentifierList()) { Position = pos };
            case "CURRENT_TIMESTAMP" or "CURRENT_DATE" or "CURRENT_TIME" or "LOCALTIMESTAMP" or "LOCALTIME" or "CURRENT_ROW_TIMESTAMP" when !PeekAt(1).IsSymbol("("):
                _pos++;
                return new FunctionCallExpr(new QualifiedName(w), []) { Position = pos };
        }
        if (Keywords.IsReserved(w) && !PeekAt(1).IsSymbol("(")) throw Unexpected("an expression");
        return ParseIdentifierExpr();
    }

    private List<Expr> ParseListUntil(string close)
    {
        var items = new List<Expr>();
        if (TryConsumeSymbol(close)) return items;
        do items.Add(ParseExpr()); while (TryConsumeSymbol(","));
        ExpectSymbol(close);
        return items;
    }

    /// <summary>A column path or a function call (name possibly qualified).</summary>
    private Expr ParseIdentifierExpr()
    {
        var pos = Peek.Position;
        var parts = new List<string> { Next().Text };
        while (Peek.IsSymbol(".") && PeekAt(1).Kind is TokenKind.Word or TokenKind.QuotedIdentifier && PeekAt(2).IsSymbol("("))
        {
            _pos++;
            parts.Add(Next().Text);
        }
        if (Peek.IsSymbol("(") && parts.Count == 1 && parts[0].ToUpperInvariant() is "JSON_OBJECT" or "JSON_ARRAY" or "JSON_VALUE")
            return ParseJsonFunction(parts[0].ToUpperInvariant(), pos);
        if (Peek.IsSymbol("("))
        {
            _pos++;
            var name = new QualifiedName(parts);
            if (Peek.IsSymbol("*") && PeekAt(1).IsSymbol(")"))
            {
                _pos += 2;
                return new FunctionCallExpr(name, [new StarExpr(null) { Position = pos }]) { Position = pos };
            }
            var distinct = TryConsumeWord("DISTINCT");
            if (!distinct) TryConsumeWord("ALL");
            var args = ParseListUntil(")");
            return new FunctionCallExpr(name, args, distinct) { Position = pos };
        }
        return new ColumnRefExpr(parts) { Position = pos };
    }

    /// <summary>Flink's JSON constructor syntax: <c>JSON_OBJECT([KEY] k VALUE v, .. [NULL|ABSENT ON NULL])</c>,
    /// <c>JSON_ARRAY(v, .. [NULL|ABSENT ON NULL])</c> and <c>JSON_VALUE(json, path [RETURNING type])</c>. The ON NULL
    /// choice that differs from the default (NULL for objects, ABSENT for arrays) selects the variant function
    /// <c>JSON_OBJECT_ABSENT_ON_NULL</c> / <c>JSON_ARRAY_NULL_ON_NULL</c>; RETURNING becomes a TRY_CAST (Flink's
    /// default NULL ON ERROR).</summary>
    private Expr ParseJsonFunction(string name, Core.Errors.SourcePosition pos)
    {
        ExpectSymbol("(");
        var args = new List<Expr>();
        SqlType? returning = null;
        var absentOnNull = name == "JSON_ARRAY";
        if (!Peek.IsSymbol(")"))
        {
            do
            {
                if (name == "JSON_OBJECT")
                {
                    TryConsumeWord("KEY");
                    args.Add(ParseExpr());
                    if (!TryConsumeWord("VALUE")) ExpectSymbol(",");
                    args.Add(ParseExpr());
                }
                else args.Add(ParseExpr());
                if (TryConsumeWords("NULL", "ON", "NULL")) absentOnNull = false;
                else if (TryConsumeWords("ABSENT", "ON", "NULL")) absentOnNull = true;
                if (name == "JSON_VALUE" && TryConsumeWord("RETURNING")) returning = ParseType();
            } while (TryConsumeSymbol(","));
        }
        ExpectSymbol(")");
        var fn = name switch
        {
            "JSON_OBJECT" when absentOnNull => "JSON_OBJECT_ABSENT_ON_NULL",
            "JSON_ARRAY" when !absentOnNull => "JSON_ARRAY_NULL_ON_NULL",
            _ => name,
        };
        Expr call = new FunctionCallExpr(new QualifiedName(fn), args) { Position = pos };
        return returning is null ? call : new CastExpr(call, returning, IsTry: true) { Position = pos };
    }

    private Expr ParseCase()
    {
        var pos = Peek.Position;
        ExpectWord("CASE");
        Expr? operand = null;
        if (!IsWord("WHEN")) operand = ParseExpr();
        var whens = new List<WhenClause>();
        while (TryConsumeWord("WHEN"))
        {
            var when = ParseExpr();
            ExpectWord("THEN");
            whens.Add(new WhenClause(when, ParseExpr()));
        }
        if (whens.Count == 0) throw Unexpected("WHEN");
        Expr? @else = null;
        if (TryConsumeWord("ELSE")) @else = ParseExpr();
        ExpectWord("END");
        return new CaseExpr(operand, whens, @else) { Position = pos };
    }

    private Expr ParseTrim()
    {
        var pos = Peek.Position;
        _pos += 2;
        var mode = "BOTH";
        var explicitMode = false;
        if (IsWord("BOTH") || IsWord("LEADING") || IsWord("TRAILING"))
        {
            mode = Next().Text.ToUpperInvariant();
            explicitMode = true;
        }
        Expr? chars = null;
        Expr source;
        if (TryConsumeWord("FROM")) source = ParseExpr();
        else
        {
            var first = ParseExpr();
            if (TryConsumeWord("FROM"))
            {
                chars = first;
                source = ParseExpr();
            }
            else if (explicitMode) throw Unexpected("FROM");
            else source = first;
        }
        ExpectSymbol(")");
        return new TrimExpr(mode, chars, source) { Position = pos };
    }

    private static readonly Dictionary<string, IntervalUnit> Units = new(StringComparer.OrdinalIgnoreCase)
    {
        ["YEAR"] = IntervalUnit.Year, ["YEARS"] = IntervalUnit.Year, ["MONTH"] = IntervalUnit.Month, ["MONTHS"] = IntervalUnit.Month,
        ["DAY"] = IntervalUnit.Day, ["DAYS"] = IntervalUnit.Day, ["HOUR"] = IntervalUnit.Hour, ["HOURS"] = IntervalUnit.Hour,
        ["MINUTE"] = IntervalUnit.Minute, ["MINUTES"] = IntervalUnit.Minute, ["SECOND"] = IntervalUnit.Second,
        ["SECONDS"] = IntervalUnit.Second, ["MILLISECOND"] = IntervalUnit.Millisecond, ["MILLISECONDS"] = IntervalUnit.Millisecond,
    };

    private Expr ParseInterval()
    {
        var pos = Peek.Position;
        ExpectWord("INTERVAL");
        var negative = TryConsumeSymbol("-");
        string text;
        if (Peek.Kind == TokenKind.String) text = Next().Text;
        else if (Peek.Kind == TokenKind.Integer) text = Next().Text;
        else throw Unexpected("an interval value such as '5'");
        IntervalUnit? from = null, to = null;
        if (Peek.Kind == TokenKind.Word && Units.TryGetValue(Peek.Text, out var u))
        {
            _pos++;
            from = u;
            if (Peek.Kind == TokenKind.Symbol && Peek.Text == "(") { _pos++; while (!TryConsumeSymbol(")")) _pos++; }
            if (TryConsumeWord("TO"))
            {
                if (Peek.Kind != TokenKind.Word || !Units.TryGetValue(Peek.Text, out var u2)) throw Unexpected("an interval unit");
                _pos++;
                to = u2;
                if (Peek.IsSymbol("(")) { _pos++; while (!TryConsumeSymbol(")")) _pos++; }
            }
        }
        return new IntervalExpr(text, from, to, negative) { Position = pos };
    }
}
