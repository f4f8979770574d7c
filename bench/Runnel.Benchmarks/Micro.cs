using System.Text;
using BenchmarkDotNet.Attributes;
using Runnel.Connectors.Formats;
using Runnel.Core.Options;
using Runnel.Core.Types;
using Runnel.Execution.Expressions;
using Runnel.Sql.Ast;
using Runnel.Sql.Binding;
using Runnel.Sql.Functions;
using Runnel.Sql.Parsing;

namespace Runnel.Benchmarks;

/// <summary>Parsing a typical statement (Sql/Parsing).</summary>
[MemoryDiagnoser]
public class ParserBenchmarks
{
    private const string Sql = "SELECT customer, COUNT(*) AS n, SUM(amount) FROM orders WHERE amount > 20 AND country <> 'NO' GROUP BY customer HAVING COUNT(*) > 2 ORDER BY n DESC LIMIT 10";

    [Benchmark]
    public Statement Parse() => Parser.ParseSingle(Sql);
}

/// <summary>Decoding one JSON row (Connectors/Formats) and evaluating a filter (Execution/Expressions).</summary>
[MemoryDiagnoser]
public class RowBenchmarks
{
    private static readonly Schema Schema = new([
        new Column("id", SqlType.BigInt), new Column("customer", SqlType.String), new Column("amount", SqlType.Double),
        new Column("country", SqlType.String), new Column("ts", SqlType.Timestamp(3)),
    ]);

    private readonly byte[] _line = Encoding.UTF8.GetBytes("{\"id\": 42, \"customer\": \"customer-17\", \"amount\": 31.5, \"country\": \"DE\", \"ts\": \"2024-01-01 00:00:42.000\"}");
    private readonly object?[] _values = new object?[5];
    private IRecordDecoder _decoder = null!;
    private Func<object?[], bool> _filter = null!;

    [GlobalSetup]
    public void Setup()
    {
        var json = new JsonFormat();
        _decoder = json.CreateDecoder(Schema, new OptionReader(new Dictionary<string, string>(), new OptionSchema("json", json.Options)), null, TimeZoneInfo.Utc);
        var binder = new ExpressionBinder(new BuiltinFunctions());
        var scope = Scope.FromSchema(Schema, "t");
        _filter = ExpressionCompiler.CompilePredicate(binder.Bind(Parser.ParseExpression("amount > 20 AND country <> 'NO'"), scope));
        _decoder.Decode(_line, _values);
    }

    [Benchmark]
    public bool DecodeJson() => _decoder.Decode(_line, _values);

    [Benchmark]
    public bool EvaluateFilter() => _filter(_values);
}
