using System.Globalization;
using Runnel.Core.Errors;
using Runnel.Core.Types;
using Runnel.Sql.Ast;

namespace Runnel.Sql.Parsing;

/// <summary>
/// Recursive-descent parser for Runnel's Flink SQL dialect, with a Pratt (precedence-climbing) expression parser.
/// <see cref="ParseScript"/> splits a script into statements on <c>;</c>. Statements are dispatched on their first
/// keyword (<see cref="ParseStatement"/>), and CREATE/DROP/SHOW/DESCRIBE on the object keyword, so new object kinds
/// (models, connections) add a case rather than a rewrite. Errors are <see cref="SqlException"/>s naming the token
/// found, with line and column.
/// </summary>
public sealed partial class Parser
{
    private readonly string _sql;
    private readonly List<Token> _tokens;
    private int _pos;

    private Parser(string sql)
    {
        _sql = sql;
        _tokens = Lexer.Tokenize(sql);
    }

    /// <summary>Parses a script of statements separated by semicolons (empty statements are skipped).</summary>
    public static IReadOnlyList<Statement> ParseScript(string sql)
    {
        var p = new Parser(sql);
        var result = new List<Statement>();
        while (true)
        {
            while (p.TryConsumeSymbol(";")) { }
            if (p.Peek.Kind == TokenKind.End) break;
            result.Add(p.ParseStatementWithText());
            if (p.Peek.Kind != TokenKind.End && !p.Peek.IsSymbol(";"))
                throw p.Unexpected("\";\" or the end of the script");
        }
        return result;
    }

    /// <summary>Parses exactly one statement (a trailing semicolon is allowed).</summary>
    public static Statement ParseSingle(string sql)
    {
        var all = ParseScript(sql);
        if (all.Count != 1) throw new SqlException($"Expected exactly one statement, found {all.Count}", SourcePosition.None);
        return all[0];
    }

    /// <summary>Parses a standalone expression, e.g. a computed column or watermark stored in the catalog.</summary>
    public static Expr ParseExpression(string sql)
    {
        var p = new Parser(sql);
        var e = p.ParseExpr();
        p.ExpectEnd();
        return e;
    }

    /// <summary>Parses a standalone query, e.g. a view definition stored in the catalog.</summary>
    public static QueryExpr ParseQuery(string sql)
    {
        var p = new Parser(sql);
        var q = p.ParseQueryExpr();
        p.TryConsumeSymbol(";");
        p.ExpectEnd();
        return q;
    }

    /// <summary>Parses a data type such as <c>ARRAY&lt;ROW&lt;a INT&gt;&gt; NOT NULL</c>.</summary>
    public static SqlType ParseDataType(string sql)
    {
        var p = new Parser(sql);
        var t = p.ParseType();
        p.ExpectEnd();
        return t;
    }

    // ---------------------------------------------------------------- token helpers

    private Token Peek => _tokens[_pos];
    private Token PeekAt(int k) => _tokens[Math.Min(_pos + k, _tokens.Count - 1)];
    private Token Next() => _tokens[_pos < _tokens.Count - 1 ? _pos++ : _pos];

    private bool IsWord(string w) => Peek.IsWord(w);
    private bool IsWordAt(int k, string w) => PeekAt(k).IsWord(w);

    private bool TryConsumeWord(string w)
    {
        if (!IsWord(w)) return false;
        _pos++;
        return true;
    }

    private bool TryConsumeWords(params string[] words)
    {
        for (var k = 0; k < words.Length; k++)
            if (!IsWordAt(k, words[k])) return false;
        _pos += words.Length;
        return true;
    }

    private bool TryConsumeSymbol(string s)
    {
        if (!Peek.IsSymbol(s)) return false;
        _pos++;
        return true;
    }

    private Token ExpectWord(string w)
    {
        if (!IsWord(w)) throw Unexpected($"\"{w}\"");
        return Next();
    }

    private Token ExpectSymbol(string s)
    {
        if (!Peek.IsSymbol(s)) throw Unexpected($"\"{s}\"");
        return Next();
    }

    private void ExpectEnd()
    {
        if (Peek.Kind != TokenKind.End) throw Unexpected("the end of the input");
    }

    private SqlException Unexpected(string expected) =>
        new($"Encountered {Peek.Describe()}, expected {expected}", Peek.Position);

    private string ExpectString(string what)
    {
        if (Peek.Kind != TokenKind.String) throw Unexpected(what);
        return Next().Text;
    }

    /// <summary>An identifier: a non-reserved word or a backquoted name.</summary>
    private string ExpectIdentifier(string what = "an identifier")
    {
        var t = Peek;
        if (t.Kind == TokenKind.QuotedIdentifier || (t.Kind == TokenKind.Word && !Keywords.IsReserved(t.Text)))
        {
            _pos++;
            return t.Text;
        }
        throw Unexpected(what);
    }

    private bool PeekIsIdentifier => Peek.Kind == TokenKind.QuotedIdentifier || (Peek.Kind == TokenKind.Word && !Keywords.IsReserved(Peek.Text));

    private QualifiedName ParseQualifiedName(string what = "a name")
    {
        var pos = Peek.Position;
        var parts = new List<string> { ExpectIdentifier(what) };
        while (Peek.IsSymbol(".") && (PeekAt(1).Kind is TokenKind.Word or TokenKind.QuotedIdentifier))
        {
            _pos++;
            parts.Add(Next().Text);
        }
        return new QualifiedName(parts);
    }

    /// <summary>An object name that may be hyphenated when unquoted, as Confluent's docs write model and connection
    /// names (<c>my-model</c>, <c>bedrock-cli-connection</c>); also accepts <c>name$2</c> version suffixes.</summary>
    private QualifiedName ParseObjectName(string what)
    {
        var parts = new List<string>();
        do
        {
            var first = Peek;
            if (first.Kind == TokenKind.QuotedIdentifier) { _pos++; parts.Add(first.Text); continue; }
            if (first.Kind != TokenKind.Word) throw Unexpected(what);
            _pos++;
            var text = first.Text;
            var end = first.Offset + first.Length;
            // Join word-hyphen-word (and $n) only when the pieces touch: `a - b` stays an expression elsewhere.
            while ((Peek.IsSymbol("-") || Peek.IsSymbol("$")) && Peek.Offset == end &&
                   PeekAt(1).Kind is TokenKind.Word or TokenKind.Integer && PeekAt(1).Offset == end + 1)
            {
                text += Peek.Text + PeekAt(1).Text;
                end = PeekAt(1).Offset + PeekAt(1).Length;
                _pos += 2;
            }
            parts.Add(text);
        } while (Peek.IsSymbol(".") && PeekAt(1).Kind is TokenKind.Word or TokenKind.QuotedIdentifier && TryConsumeSymbol("."));
        return new QualifiedName(parts);
    }

    private List<string> ParseIdentifierList()
    {
        ExpectSymbol("(");
        var list = new List<string> { ExpectIdentifier() };
        while (TryConsumeSymbol(",")) list.Add(ExpectIdentifier());
        ExpectSymbol(")");
        return list;
    }

    // ---------------------------------------------------------------- statements

    private Statement ParseStatementWithText()
    {
        var startTok = Peek;
        var stmt = ParseStatement();
        var last = _tokens[Math.Max(0, _pos - 1)];
        var text = _sql[startTok.Offset..(last.Offset + last.Length)];
        return stmt with { Text = text, Position = startTok.Position };
    }

    /// <summary>Dispatches on the statement's first keyword.</summary>
    private Statement ParseStatement()
    {
        var t = Peek;
        if (t.Kind == TokenKind.Symbol && t.Text == "(") return new QueryStatement(ParseQueryExpr());
        if (t.Kind != TokenKind.Word) throw Unexpected("a statement");
        switch (t.Text.ToUpperInvariant())
        {
            case "SELECT":
            case "WITH":
            case "VALUES":
                return new QueryStatement(ParseQueryExpr());
            case "INSERT":
                return ParseInsert();
            case "CREATE":
                return ParseCreate();
            case "DROP":
                return ParseDrop();
            case "ALTER":
                return ParseAlter();
            case "SET":
                return ParseSet();
            case "RESET":
                return ParseReset();
            case "SHOW":
                return ParseShow();
            case "DESCRIBE":
            case "DESC":
                return ParseDescribe();
            case "EXPLAIN":
                _pos++;
                TryConsumeWords("PLAN", "FOR");
                return new ExplainStatement(ParseStatementWithText());
            case "EXECUTE":
                _pos++;
                if (TryConsumeWords("STATEMENT", "SET")) return ParseStatementSetBody();
                return ParseStatement();
            case "BEGIN":
                _pos++;
                ExpectWord("STATEMENT");
                ExpectWord("SET");
                TryConsumeSymbol(";");
                return ParseStatementSetInner(requireBegin: false);
            case "USE":
                _pos++;
                var catalog = TryConsumeWord("CATALOG");
                return new UseStatement(ParseQualifiedName(), catalog);
            default:
                throw Unexpected("a statement (SELECT, INSERT, CREATE, DROP, ALTER, SET, RESET, SHOW, DESCRIBE, EXPLAIN, EXECUTE, USE)");
        }
    }

    private StatementSetStatement ParseStatementSetBody() => ParseStatementSetInner(requireBegin: true);

    private StatementSetStatement ParseStatementSetInner(bool requireBegin)
    {
        if (requireBegin) ExpectWord("BEGIN");
        var inserts = new List<InsertStatement>();
        while (true)
        {
            while (TryConsumeSymbol(";")) { }
            if (TryConsumeWord("END")) break;
            if (!IsWord("INSERT")) throw Unexpected("INSERT or END inside a statement set");
            var ins = (InsertStatement)ParseStatementWithText();
            inserts.Add(ins);
            if (!TryConsumeSymbol(";") && !IsWord("END")) throw Unexpected("\";\"");
        }
        return new StatementSetStatement(inserts);
    }

    private InsertStatement ParseInsert()
    {
        ExpectWord("INSERT");
        var overwrite = false;
        if (TryConsumeWord("OVERWRITE")) overwrite = true;
        else ExpectWord("INTO");
        var target = ParseQualifiedName("a table name");
        List<string>? cols = null;
        if (Peek.IsSymbol("(") && !(IsWordAt(1, "SELECT") || IsWordAt(1, "WITH") || IsWordAt(1, "VALUES")))
            cols = ParseIdentifierList();
        var source = ParseQueryExpr();
        return new InsertStatement(target, overwrite, cols, source);
    }

    private Statement ParseCreate()
    {
        ExpectWord("CREATE");
        var orReplace = TryConsumeWords("OR", "REPLACE");
        var temporary = TryConsumeWord("TEMPORARY");
        if (IsWord("TABLE")) return orReplace ? throw Unexpected("TABLE after CREATE OR REPLACE is not supported; use DROP TABLE first") : ParseCreateTable(temporary);
        if (IsWord("VIEW")) return ParseCreateView(temporary);
        if (TryConsumeWord("CONNECTION"))
        {
            var ifNotExists = ParseIfNotExists();
            var name = ParseObjectName("a connection name");
            var comment = TryConsumeWord("COMMENT") ? ExpectString("a comment string") : null;
            return new CreateConnectionStatement(name, orReplace, ifNotExists, comment, ParseWithOptions());
        }
        if (TryConsumeWord("MODEL"))
        {
            if (orReplace) throw Unexpected("MODEL after CREATE OR REPLACE is not supported; CREATE MODEL on an existing name adds a version");
            return ParseCreateModel();
        }
        throw Unexpected("TABLE, VIEW, MODEL or CONNECTION after CREATE");
    }

    private bool ParseIfNotExists() => TryConsumeWords("IF", "NOT", "EXISTS");
    private bool ParseIfExists() => TryConsumeWords("IF", "EXISTS");

    private CreateTableStatement ParseCreateTable(bool temporary)
    {
        ExpectWord("TABLE");
        var ifNotExists = ParseIfNotExists();
        var name = ParseQualifiedName("a table name");
        var columns = new List<TableElement>();
        WatermarkDef? watermark = null;
        PrimaryKeyDef? pk = null;
        if (TryConsumeSymbol("("))
        {
            do
            {
                var pos = Peek.Position;
                if (IsWord("WATERMARK"))
                {
                    _pos++;
                    ExpectWord("FOR");
                    var col = ExpectIdentifier("the watermark's time column");
                    ExpectWord("AS");
                    watermark = new WatermarkDef(col, ParseExpr()) { Position = pos };
                }
                else if (IsWord("PRIMARY") || (IsWord("CONSTRAINT") && PeekIsIdentifierAt(1)))
                {
                    if (TryConsumeWord("CONSTRAINT")) ExpectIdentifier();
                    ExpectWord("PRIMARY");
                    ExpectWord("KEY");
                    var keyCols = ParseIdentifierList();
                    var notEnforced = TryConsumeWords("NOT", "ENFORCED");
                    if (!notEnforced)
                        throw new SqlException("Flink doesn't support ENFORCED mode for PRIMARY KEY constraint; write PRIMARY KEY (..) NOT ENFORCED", pos);
                    pk = new PrimaryKeyDef(keyCols, true) { Position = pos };
                }
                else columns.Add(ParseTableElement(ref pk));
            } while (TryConsumeSymbol(","));
            ExpectSymbol(")");
        }
        string? comment = null;
        if (TryConsumeWord("COMMENT")) comment = ExpectString("a comment string");
        List<string>? partitionedBy = null;
        if (TryConsumeWords("PARTITIONED", "BY")) partitionedBy = ParseIdentifierList();
        var options = IsWord("WITH") && PeekAt(1).IsSymbol("(") ? ParseWithOptions() : [];
        QueryExpr? asQuery = null;
        if (TryConsumeWord("AS")) asQuery = ParseQueryExpr();
        if (columns.Count == 0 && asQuery is null)
            throw new SqlException($"CREATE TABLE {name} needs a column list or AS SELECT", name is null ? Peek.Position : Peek.Position);
        return new CreateTableStatement(name, ifNotExists, temporary, columns, watermark, pk, comment, partitionedBy, options, asQuery);
    }

    private bool PeekIsIdentifierAt(int k) => PeekAt(k).Kind == TokenKind.QuotedIdentifier || (PeekAt(k).Kind == TokenKind.Word && !Keywords.IsReserved(PeekAt(k).Text));

    private TableElement ParseTableElement(ref PrimaryKeyDef? pk)
    {
        var pos = Peek.Position;
        var name = ExpectIdentifier("a column name");
        if (TryConsumeWord("AS"))
        {
            var expr = ParseExpr();
            return new ComputedColumnDef(name, expr, ParseOptionalComment()) { Position = pos };
        }
        var type = ParseType();
        if (TryConsumeWord("METADATA"))
        {
            string? key = null;
            if (TryConsumeWord("FROM")) key = ExpectString("a metadata key string");
            var isVirtual = TryConsumeWord("VIRTUAL");
            return new MetadataColumnDef(name, type, key, isVirtual, ParseOptionalComment()) { Position = pos };
        }
        if (IsWord("PRIMARY"))
        {
            _pos++;
            ExpectWord("KEY");
            if (!TryConsumeWords("NOT", "ENFORCED"))
                throw new SqlException("Flink doesn't support ENFORCED mode for PRIMARY KEY constraint; write PRIMARY KEY NOT ENFORCED", pos);
            pk = new PrimaryKeyDef([name], true) { Position = pos };
            type = type.WithNullable(false);
        }
        return new PhysicalColumnDef(name, type, ParseOptionalComment()) { Position = pos };
    }

    private string? ParseOptionalComment() => TryConsumeWord("COMMENT") ? ExpectString("a comment string") : null;

    /// <summary><c>WITH ('k' = 'v', ...)</c>; keys and values are string literals (unquoted keys are accepted too).</summary>
    private List<OptionPair> ParseWithOptions()
    {
        ExpectWord("WITH");
        return ParseOptionList();
    }

    private List<OptionPair> ParseOptionList()
    {
        ExpectSymbol("(");
        var list = new List<OptionPair>();
        if (TryConsumeSymbol(")")) return list;
        do
        {
            var pos = Peek.Position;
            var key = Peek.Kind == TokenKind.String ? Next().Text : ParseDottedWords();
            ExpectSymbol("=");
            var value = ParseOptionValue();
            if (list.Any(o => string.Equals(o.Key, key, StringComparison.OrdinalIgnoreCase)))
                throw new SqlException($"Option '{key}' is given twice", pos);
            list.Add(new OptionPair(key, value) { Position = pos });
        } while (TryConsumeSymbol(","));
        ExpectSymbol(")");
        return list;
    }

    private string ParseOptionValue()
    {
        var t = Peek;
        switch (t.Kind)
        {
            case TokenKind.String:
            case TokenKind.Integer:
            case TokenKind.Decimal:
            case TokenKind.Double:
                _pos++;
                return t.Text;
            case TokenKind.Word when t.IsWord("TRUE") || t.IsWord("FALSE"):
                _pos++;
                return t.Text.ToLowerInvariant();
            case TokenKind.Symbol when t.Text == "-" && PeekAt(1).Kind is TokenKind.Integer or TokenKind.Decimal:
                _pos += 2;
                return "-" + PeekAt(-1).Text;
            default:
                throw Unexpected("an option value (a string literal)");
        }
    }

    private string ParseDottedWords()
    {
        var parts = new List<string> { ExpectAnyWord() };
        while (TryConsumeSymbol(".")) parts.Add(ExpectAnyWord());
        return string.Join(".", parts);
    }

    private string ExpectAnyWord()
    {
        if (Peek.Kind is TokenKind.Word or TokenKind.QuotedIdentifier) return Next().Text;
        throw Unexpected("a word");
    }

    private CreateViewStatement ParseCreateView(bool temporary)
    {
        ExpectWord("VIEW");
        var ifNotExists = ParseIfNotExists();
        var name = ParseQualifiedName("a view name");
        List<string>? cols = null;
        if (Peek.IsSymbol("(")) cols = ParseIdentifierList();
        string? comment = null;
        if (TryConsumeWord("COMMENT")) comment = ExpectString("a comment string");
        ExpectWord("AS");
        var start = Peek;
        var query = ParseQueryExpr();
        var last = _tokens[_pos - 1];
        return new CreateViewStatement(name, ifNotExists, temporary, cols, query, _sql[start.Offset..(last.Offset + last.Length)], comment);
    }

    private Statement ParseDrop()
    {
        ExpectWord("DROP");
        var temporary = TryConsumeWord("TEMPORARY");
        if (TryConsumeWord("TABLE"))
        {
            var ifExists = ParseIfExists();
            return new DropTableStatement(ParseQualifiedName("a table name"), ifExists, temporary);
        }
        if (TryConsumeWord("VIEW"))
        {
            var ifExists = ParseIfExists();
            return new DropViewStatement(ParseQualifiedName("a view name"), ifExists, temporary);
        }
        if (TryConsumeWord("CONNECTION"))
        {
            var ifExists = ParseIfExists();
            return new DropConnectionStatement(ParseObjectName("a connection name"), ifExists);
        }
        if (TryConsumeWord("MODEL"))
        {
            var ifExists = ParseIfExists();
            return new DropModelStatement(ParseObjectName("a model name"), ifExists);
        }
        throw Unexpected("TABLE, VIEW, MODEL or CONNECTION after DROP");
    }

    private Statement ParseAlter()
    {
        ExpectWord("ALTER");
        if (TryConsumeWord("TABLE"))
        {
            ParseIfExists();
            var name = ParseQualifiedName("a table name");
            if (TryConsumeWord("SET")) return new AlterTableStatement(name, ParseOptionList(), [], null);
            if (TryConsumeWord("RESET")) return new AlterTableStatement(name, [], ParseKeyList(), null);
            if (TryConsumeWords("RENAME", "TO")) return new AlterTableStatement(name, [], [], ParseQualifiedName());
            throw Unexpected("SET, RESET or RENAME TO");
        }
        if (TryConsumeWord("CONNECTION"))
        {
            var ifExists = ParseIfExists();
            var name = ParseObjectName("a connection name");
            ExpectWord("SET");
            return new AlterConnectionStatement(name, ifExists, ParseOptionList());
        }
        if (TryConsumeWord("MODEL"))
        {
            var ifExists = ParseIfExists();
            var name = ParseObjectName("a model name");
            if (TryConsumeWord("SET")) return new AlterModelStatement(name, ifExists, ParseOptionList(), [], null);
            if (TryConsumeWord("RESET")) return new AlterModelStatement(name, ifExists, [], ParseKeyList(), null);
            if (TryConsumeWords("RENAME", "TO")) return new AlterModelStatement(name, ifExists, [], [], ParseObjectName("a model name"));
            throw Unexpected("SET, RESET or RENAME TO");
        }
        throw Unexpected("TABLE, MODEL or CONNECTION after ALTER");
    }

    /// <summary><c>('k1', 'k2')</c>: option keys to reset.</summary>
    private List<string> ParseKeyList()
    {
        ExpectSymbol("(");
        var keys = new List<string> { Peek.Kind == TokenKind.String ? Next().Text : ParseDottedWords() };
        while (TryConsumeSymbol(",")) keys.Add(Peek.Kind == TokenKind.String ? Next().Text : ParseDottedWords());
        ExpectSymbol(")");
        return keys;
    }

    private CreateModelStatement ParseCreateModel()
    {
        var ifNotExists = ParseIfNotExists();
        var name = ParseObjectName("a model name");
        List<PhysicalColumnDef>? ParseColumns()
        {
            ExpectSymbol("(");
            var cols = new List<PhysicalColumnDef>();
            do
            {
                var pos = Peek.Position;
                var col = ExpectIdentifier("a column name");
                var type = ParseType();
                cols.Add(new PhysicalColumnDef(col, type, ParseOptionalComment()) { Position = pos });
            } while (TryConsumeSymbol(","));
            ExpectSymbol(")");
            return cols;
        }
        var input = TryConsumeWord("INPUT") ? ParseColumns() : null;
        var output = TryConsumeWord("OUTPUT") ? ParseColumns() : null;
        var comment = TryConsumeWord("COMMENT") ? ExpectString("a comment string") : null;
        var options = ParseWithOptions();
        QueryExpr? asQuery = null;
        if (TryConsumeWord("AS")) asQuery = ParseQueryExpr();
        return new CreateModelStatement(name, ifNotExists, input, output, comment, options, asQuery);
    }

    private Statement ParseSet()
    {
        ExpectWord("SET");
        if (Peek.Kind == TokenKind.End || Peek.IsSymbol(";")) return new SetStatement(null, null);
        string key;
        if (Peek.Kind == TokenKind.String) key = Next().Text;
        else key = ParseDottedWords();
        ExpectSymbol("=");
        string value;
        if (Peek.Kind == TokenKind.String) value = Next().Text;
        else
        {
            // Legacy unquoted form: SET execution.runtime-mode = batch; take the raw text up to the semicolon.
            var start = Peek;
            while (Peek.Kind != TokenKind.End && !Peek.IsSymbol(";")) _pos++;
            var last = _tokens[_pos - 1];
            if (_pos == _tokens.IndexOf(start)) throw Unexpected("a value");
            value = _sql[start.Offset..(last.Offset + last.Length)].Trim();
        }
        return new SetStatement(key, value);
    }

    private Statement ParseReset()
    {
        ExpectWord("RESET");
        if (Peek.Kind == TokenKind.End || Peek.IsSymbol(";")) return new ResetStatement(null);
        return new ResetStatement(Peek.Kind == TokenKind.String ? Next().Text : ParseDottedWords());
    }

    private Statement ParseShow()
    {
        ExpectWord("SHOW");
        if (TryConsumeWord("CREATE"))
        {
            var kind = ExpectAnyWord().ToUpperInvariant();
            if (kind is not ("TABLE" or "VIEW" or "MODEL")) { _pos--; throw Unexpected("TABLE, VIEW or MODEL after SHOW CREATE"); }
            return new ShowCreateStatement(kind, kind == "MODEL" ? ParseObjectName("a model name") : ParseQualifiedName());
        }
        string what;
        if (TryConsumeWord("CURRENT")) what = "CURRENT " + ExpectAnyWord().ToUpperInvariant();
        else
        {
            var w = ExpectAnyWord().ToUpperInvariant();
            if (w is "USER" or "SYSTEM") w += " " + ExpectAnyWord().ToUpperInvariant();
            what = w;
        }
        if (what is not ("TABLES" or "VIEWS" or "FUNCTIONS" or "USER FUNCTIONS" or "CATALOGS" or "DATABASES" or "JOBS"
            or "CURRENT CATALOG" or "CURRENT DATABASE" or "MODULES" or "MODELS" or "CONNECTIONS"))
        {
            _pos--;
            throw Unexpected("TABLES, VIEWS, MODELS, CONNECTIONS, FUNCTIONS, CATALOGS, DATABASES, JOBS, CURRENT CATALOG or CURRENT DATABASE after SHOW");
        }
        QualifiedName? from = null;
        if (TryConsumeWord("FROM") || TryConsumeWord("IN")) from = ParseQualifiedName();
        var not = TryConsumeWord("NOT");
        string? like = null;
        if (TryConsumeWord("LIKE") || TryConsumeWord("ILIKE")) like = ExpectString("a LIKE pattern");
        else if (not) throw Unexpected("LIKE after NOT");
        return new ShowStatement(what, from, like, not);
    }

    private Statement ParseDescribe()
    {
        _pos++;
        TryConsumeWord("EXTENDED");
        var kind = "";
        if ((IsWord("TABLE") || IsWord("VIEW") || IsWord("MODEL") || IsWord("CONNECTION")) && PeekAt(1).Kind is TokenKind.Word or TokenKind.QuotedIdentifier)
            kind = Next().Text.ToUpperInvariant();
        return new DescribeStatement(kind, kind is "MODEL" or "CONNECTION" ? ParseObjectName("a name") : ParseQualifiedName());
    }
}
