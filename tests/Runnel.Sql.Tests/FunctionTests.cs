using Runnel.Core.Data;
using Runnel.Core.Errors;
using Runnel.Core.Types;
using Runnel.Sql.Functions;

namespace Runnel.Sql.Tests;

public class FunctionTests
{
    private static readonly BuiltinFunctions Functions = new();

    private static object? Call(string name, params (object? Value, SqlType Type)[] args)
    {
        var sig = Functions.Get(name).Resolve(args.Select(a => a.Type).ToList());
        var values = args.Select((a, i) => a.Value is null ? null : Casts.Create(a.Type, sig.ArgTypes[i], false)(a.Value)).ToArray();
        if (Functions.Get(name).Strict && values.Any(v => v is null)) return null;
        return sig.Invoke(values);
    }

    private static (object?, SqlType) S(string? s) => (s, SqlType.String);
    private static (object?, SqlType) I(int? i) => (i, SqlType.Int);

    [Fact]
    public void StringFunctions_FollowFlink()
    {
        Assert.Equal("bc", Call("SUBSTRING", S("abcd"), I(2), I(2)));
        Assert.Equal("cd", Call("SUBSTRING", S("abcd"), I(3)));
        Assert.Equal("Hello World", Call("INITCAP", S("hELLO wORLD")));
        Assert.Equal("b", Call("SPLIT_INDEX", S("a,b,c"), S(","), I(1)));
        Assert.Null(Call("SPLIT_INDEX", S("a,b,c"), S(","), I(5)));
        Assert.Equal("xxhi", Call("LPAD", S("hi"), I(4), S("x")));
        Assert.Equal("h", Call("RPAD", S("hi"), I(1), S("x")));
        Assert.Equal(3, Call("POSITION", S("c"), S("abcd")));
        Assert.Equal("123", Call("REGEXP_EXTRACT", S("foo123bar"), S("[0-9]+")));
        Assert.Equal("foo-bar", Call("REGEXP_REPLACE", S("foo123bar"), S("[0-9]+"), S("-")));
        Assert.Equal("a-b", Call("CONCAT_WS", S("-"), S("a"), S(null), S("b")));
        Assert.Null(Call("CONCAT", S("a"), S(null)));
    }

    [Fact]
    public void JsonFunctions_ReadPaths()
    {
        Assert.Equal("2", Call("JSON_VALUE", S("""{"a": {"b": [1, 2]}}"""), S("$.a.b[1]")));
        Assert.Equal("x", Call("JSON_VALUE", S("""{"a": "x"}"""), S("$.a")));
        Assert.Null(Call("JSON_VALUE", S("not json"), S("$.a")));
        Assert.Equal("[1,2]", Call("JSON_QUERY", S("""{"a": [1, 2]}"""), S("$.a")));
    }

    [Fact]
    public void Round_IsHalfUp()
    {
        Assert.Equal(2.5, Call("ROUND", (2.45, SqlType.Double), I(1)));
        Assert.Equal(3m, Call("ROUND", (2.5m, SqlType.Decimal(3, 1))));
    }

    [Fact]
    public void IntegerDivisionByZero_FailsWithAClearError()
    {
        var e = Assert.Throws<EvaluationException>(() => Call("/", I(1), I(0)));
        Assert.Contains("Division by zero", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cast_BadString_FailsButTryCastGivesNull()
    {
        var cast = Casts.Create(SqlType.String, SqlType.Int, isTry: false);
        var e = Assert.Throws<EvaluationException>(() => cast("x"));
        Assert.Contains("'x'", e.Message, StringComparison.Ordinal);
        Assert.Null(Casts.Create(SqlType.String, SqlType.Int, isTry: true)("x"));
        Assert.Equal(42, Casts.Create(SqlType.String, SqlType.Int, isTry: false)(" 42 "));
    }

    [Fact]
    public void Timestamps_ParseAndFormatAsFlink()
    {
        var ts = Casts.Create(SqlType.String, SqlType.Timestamp(3), false)("2024-03-01 12:34:56.789");
        Assert.Equal("2024-03-01 12:34:56.789", ValueFormatter.Format(ts, SqlType.Timestamp(3)));
        Assert.Equal("2024-03-01 12:34", Call("DATE_FORMAT", (ts, SqlType.Timestamp(3)), S("yyyy-MM-dd HH:mm")));
    }

    [Fact]
    public void ThreeValuedLogic_AndOr()
    {
        var and = Functions.Get("AND").Resolve([SqlType.Boolean, SqlType.Boolean]).Invoke;
        var or = Functions.Get("OR").Resolve([SqlType.Boolean, SqlType.Boolean]).Invoke;
        Assert.Equal(false, and([null, false]));
        Assert.Null(and([null, true]));
        Assert.Equal(true, or([null, true]));
        Assert.Null(or([null, false]));
    }

    [Fact]
    public void Aggregates_RetractCorrectly()
    {
        AggregateFunctions.TryGet("MAX", out var max);
        var acc = max.Create([SqlType.Int], SqlType.Int, distinct: false);
        acc.Accumulate(3);
        acc.Accumulate(7);
        acc.Retract(7);
        Assert.Equal(3, acc.GetValue());
        AggregateFunctions.TryGet("COUNT", out var count);
        var distinct = count.Create([SqlType.Int], SqlType.BigInt, distinct: true);
        distinct.Accumulate(1);
        distinct.Accumulate(1);
        distinct.Accumulate(2);
        distinct.Retract(1);
        Assert.Equal(2L, distinct.GetValue());
        distinct.Retract(1);
        Assert.Equal(1L, distinct.GetValue());
    }

    [Fact]
    public void Variance_SampleAndPopulation()
    {
        AggregateFunctions.TryGet("VAR_SAMP", out var varSamp);
        AggregateFunctions.TryGet("STDDEV_POP", out var stdPop);
        var a = varSamp.Create([SqlType.Int], SqlType.Int, false);
        var b = stdPop.Create([SqlType.Double], SqlType.Double, false);
        foreach (var v in new[] { 1, 2, 3, 4, 9 }) { a.Accumulate(v); b.Accumulate((double)v); }
        a.Retract(9);
        b.Retract(9.0);
        Assert.Equal(1, a.GetValue()); // 1.666.. as INT, as Flink keeps the argument type
        Assert.Equal(Math.Sqrt(1.25), (double)b.GetValue()!, 12);
    }

    [Fact]
    public void DoubleFormatting_MatchesJava()
    {
        Assert.Equal("1.0", ValueFormatter.FormatDouble(1));
        Assert.Equal("0.1", ValueFormatter.FormatDouble(0.1));
        Assert.Equal("1.0E7", ValueFormatter.FormatDouble(1e7));
        Assert.Equal("1.0E-4", ValueFormatter.FormatDouble(1e-4));
    }
}
