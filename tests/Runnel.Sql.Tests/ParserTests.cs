using Runnel.Core.Errors;
using Runnel.Sql.Ast;
using Runnel.Sql.Parsing;

namespace Runnel.Sql.Tests;

public class ParserTests
{
    public static TheoryData<string> Statements => new()
    {
        "SELECT 1",
        "SELECT a, b AS c, `weird name` FROM t WHERE a > 1 AND NOT b IS NULL",
        "SELECT * FROM `env`.`db`.`my-table` AS x",
        "SELECT t.* FROM cat.db.t",
        "SELECT COUNT(*), COUNT(DISTINCT a), SUM(b) FROM t GROUP BY c HAVING COUNT(*) > 2",
        "SELECT CASE WHEN a = 1 THEN 'one' WHEN a = 2 THEN 'two' ELSE 'many' END FROM t",
        "SELECT CASE a WHEN 1 THEN 'x' END FROM t",
        "SELECT CAST(a AS DECIMAL(10, 2)), TRY_CAST('x' AS INT) FROM t",
        "SELECT a FROM t WHERE b BETWEEN 1 AND 10 AND c NOT IN (1, 2, 3) AND d LIKE 'a%' AND e NOT LIKE '_b'",
        "SELECT a || 'x', -a, +a, a % 2, a * (b + c) / d FROM t",
        "SELECT arr[1], m['k'], r.f, (ROW(1, 2)).f FROM t",
        "SELECT ARRAY[1, 2], MAP['a', 1], ROW(1, 'x') FROM t",
        "SELECT EXTRACT(YEAR FROM ts), TRIM(BOTH 'x' FROM s), TRIM(s), POSITION('a' IN s), SUBSTRING(s FROM 2 FOR 3) FROM t",
        "SELECT CURRENT_TIMESTAMP, DATE '2024-01-02', TIMESTAMP '2024-01-02 03:04:05.678', INTERVAL '5' SECOND, INTERVAL '1 02:00:00' DAY TO SECOND",
        "SELECT a FROM t UNION ALL SELECT b FROM u",
        "SELECT a FROM t ORDER BY a DESC NULLS LAST LIMIT 10 OFFSET 5",
        "WITH x AS (SELECT 1 AS a), y (b) AS (SELECT 2) SELECT * FROM x, y",
        "SELECT * FROM (SELECT a FROM t) AS s (c)",
        "SELECT * FROM a JOIN b ON a.id = b.id LEFT JOIN c ON b.id = c.id",
        "SELECT * FROM a CROSS JOIN UNNEST(a.arr) AS x (v)",
        "SELECT * FROM a, LATERAL TABLE(f(a.x)) AS r (c1, c2)",
        "SELECT * FROM a LEFT JOIN LATERAL TABLE(f(a.x)) AS r ON TRUE",
        "SELECT window_start, window_end, COUNT(*) FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' MINUTES)) GROUP BY window_start, window_end",
        "SELECT * FROM TABLE(HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '5' MINUTE, INTERVAL '10' MINUTE))",
        "SELECT * FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(c1, c2), MAP['async', 'true'])",
        "VALUES (1, 'a'), (2, 'b')",
        "INSERT INTO t SELECT 1 id, 'x' text",
        "INSERT INTO t (a, b) VALUES (1, 'x')",
        "INSERT OVERWRITE t SELECT * FROM u",
        "CREATE TABLE t (id INT NOT NULL, name STRING COMMENT 'the name', ts TIMESTAMP(3), amount DECIMAL(10, 2), tags ARRAY<STRING>, attrs MAP<STRING, INT>, r ROW<a INT, b STRING>, total AS amount * 2, meta TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND, PRIMARY KEY (id) NOT ENFORCED) COMMENT 'a table' WITH ('connector' = 'filesystem', 'path' = '/tmp/x', 'format' = 'json')",
        "CREATE TABLE IF NOT EXISTS text_input (id STRING, input STRING)",
        "CREATE TEMPORARY TABLE t (a INT) WITH ('connector' = 'datagen')",
        "CREATE TABLE t2 WITH ('connector' = 'blackhole') AS SELECT * FROM t",
        "DROP TABLE IF EXISTS t",
        "ALTER TABLE t SET ('path' = '/tmp/y')",
        "ALTER TABLE t RESET ('path')",
        "ALTER TABLE t RENAME TO u",
        "CREATE VIEW v (a, b) AS SELECT 1, 2",
        "DROP VIEW IF EXISTS v",
        "SET 'execution.runtime-mode' = 'batch'",
        "SET",
        "RESET 'table.dml-sync'",
        "RESET",
        "SHOW TABLES",
        "SHOW TABLES LIKE 'rev%'",
        "SHOW VIEWS NOT LIKE 'x'",
        "SHOW CREATE TABLE t",
        "DESCRIBE t",
        "EXPLAIN SELECT * FROM t",
        "EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT * FROM t; INSERT INTO b SELECT * FROM t; END",
        "SELECT a IS DISTINCT FROM b, a IS NOT TRUE FROM t",
        "CREATE CONNECTION bedrock-cli-connection WITH ('type' = 'bedrock', 'endpoint' = 'https://x', 'aws_access_key_id' = 'a', 'aws_secret_access_key' = 'b')",
        "CREATE OR REPLACE CONNECTION IF NOT EXISTS c COMMENT 'x' WITH ('type' = 'openai', 'endpoint' = 'https://x', 'api-key' = 'k')",
        "ALTER CONNECTION IF EXISTS c SET ('api-key' = 'k2')",
        "DROP CONNECTION IF EXISTS c",
        "CREATE MODEL IF NOT EXISTS `db`.`my-model` INPUT (text STRING COMMENT 'in') OUTPUT (label STRING) COMMENT 'm' WITH ('provider' = 'openai', 'task' = 'classification')",
        "CREATE MODEL m WITH ('provider' = 'local', 'task' = 'classification') AS SELECT a, b FROM t",
        "ALTER MODEL my-model SET ('default_version' = '2')",
        "ALTER MODEL `m$2` RESET ('openai.params.temperature')",
        "ALTER MODEL IF EXISTS m RENAME TO n",
        "DROP MODEL IF EXISTS `m$all`",
        "DESCRIBE MODEL `m$2`",
        "SHOW MODELS FROM default_database LIKE 'a%'",
        "SHOW CONNECTIONS",
        "SHOW CREATE MODEL m",
        "SELECT * FROM t, LATERAL TABLE(ML_PREDICT('m$2', a, MAP['max_parallelism', 20, 'client_timeout', 60])) AS r (x)",
        "SELECT ML_EVALUATE(`m$all`, label, f1, f2) FROM t",
    };

    [Theory]
    [MemberData(nameof(Statements))]
    public void Parse_Format_RoundTripsToTheSameTree(string sql)
    {
        var first = SqlFormatter.Format(Parser.ParseSingle(sql));
        var second = SqlFormatter.Format(Parser.ParseSingle(first));
        Assert.Equal(first, second);
    }

    [Fact]
    public void ParseScript_ManyStatementsWithComments_SplitsAndKeepsText()
    {
        var script = """
            -- a comment
            CREATE TABLE t (a INT); /* block
            comment */ INSERT INTO t VALUES (1);;
            select a from t
            """;
        var statements = Parser.ParseScript(script);
        Assert.Equal(3, statements.Count);
        Assert.IsType<CreateTableStatement>(statements[0]);
        Assert.Equal("INSERT INTO t VALUES (1)", statements[1].Text);
        Assert.Equal(4, statements[2].Position.Line);
    }

    [Fact]
    public void Parse_HyphenatedAndVersionedModelNames()
    {
        var drop = Assert.IsType<DropModelStatement>(Parser.ParseSingle("DROP MODEL my-model$3"));
        Assert.Equal("my-model$3", drop.Name.Last);
        var alter = Assert.IsType<AlterModelStatement>(Parser.ParseSingle("ALTER MODEL m$all SET ('a' = 'b')"));
        Assert.Equal("m$all", alter.Name.Last);
        // In expressions a spaced minus stays subtraction.
        var q = (SelectQuery)((QueryStatement)Parser.ParseSingle("SELECT a - b FROM t")).Query;
        Assert.IsType<BinaryExpr>(q.Items[0].Expr);
    }

    [Fact]
    public void Parse_Keywords_AreCaseInsensitive()
    {
        var s = Assert.IsType<QueryStatement>(Parser.ParseSingle("sElEcT a FrOm t wHeRe a > 1"));
        var q = Assert.IsType<SelectQuery>(s.Query);
        Assert.NotNull(q.Where);
    }

    [Fact]
    public void Parse_Misspelled_Keyword_ReportsLineColumnAndToken()
    {
        var e = Assert.Throws<SqlException>(() => Parser.ParseScript("SELECT a\nFORM t"));
        Assert.Equal(2, e.Position.Line);
        Assert.Equal(6, e.Position.Column);
        Assert.Contains("\"t\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnterminatedString_ReportsWhereItStarts()
    {
        var e = Assert.Throws<SqlException>(() => Parser.ParseScript("SELECT 'abc"));
        Assert.Equal(new SourcePosition(1, 8), e.Position);
    }

    [Fact]
    public void Parse_BackquotedIdentifier_KeepsHyphensAndEscapedQuotes()
    {
        var s = (QueryStatement)Parser.ParseSingle("SELECT `a``b` FROM `my-table`");
        var q = (SelectQuery)s.Query;
        Assert.Equal("a`b", ((ColumnRefExpr)q.Items[0].Expr).Parts[0]);
        Assert.Equal("my-table", ((NamedTableRef)q.From!).Name.Last);
    }

    [Fact]
    public void Parse_StringLiteral_UnescapesDoubledQuote()
    {
        var s = (QueryStatement)Parser.ParseSingle("SELECT 'it''s'");
        Assert.Equal("it's", ((LiteralExpr)((SelectQuery)s.Query).Items[0].Expr).Text);
    }

    [Fact]
    public void Parse_Precedence_MultiplicationBindsTighterThanAddition()
    {
        var s = (QueryStatement)Parser.ParseSingle("SELECT 1 + 2 * 3 = 7 OR FALSE AND TRUE");
        var e = ((SelectQuery)s.Query).Items[0].Expr;
        Assert.Equal("(((1 + (2 * 3)) = 7) OR (FALSE AND TRUE))", SqlFormatter.Format(e));
    }

    [Fact]
    public void Parse_PrimaryKeyWithoutNotEnforced_IsAnError()
    {
        var e = Assert.Throws<SqlException>(() => Parser.ParseScript("CREATE TABLE t (a INT, PRIMARY KEY (a))"));
        Assert.Contains("NOT ENFORCED", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseDataType_Nested_PrintsAsFlink()
    {
        Assert.Equal("ARRAY<ROW<`a` INT, `b` STRING>> NOT NULL", Parser.ParseDataType("ARRAY<ROW<a INT, b VARCHAR(2147483647)>> NOT NULL").ToString());
        Assert.Equal("TIMESTAMP_LTZ(3)", Parser.ParseDataType("TIMESTAMP(3) WITH LOCAL TIME ZONE").ToString());
        Assert.Equal("DECIMAL(10, 0)", Parser.ParseDataType("DECIMAL").ToString());
    }
}
