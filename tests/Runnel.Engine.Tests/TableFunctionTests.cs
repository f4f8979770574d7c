using Runnel.Core.Data;
using Runnel.Core.Errors;
using Runnel.Core.Types;
using Runnel.Execution.Runtime;
using Runnel.Sql.Ast;
using Runnel.Sql.Binding;
using Runnel.Sql.Planning;

namespace Runnel.Engine.Tests;

/// <summary>The LATERAL TABLE seam: a table function registered from outside (as model inference will be) is bound
/// by its binder and run batch-wise by its runtime.</summary>
public sealed class TableFunctionTests
{
    /// <summary>SPLIT_WORDS(text): one row (word STRING, position INT) per space-separated word.</summary>
    private sealed class SplitWords : ITableFunctionBinder, ITableFunctionRuntime
    {
        public int Batches;
        public IReadOnlyCollection<string> Names => ["SPLIT_WORDS"];

        public CorrelatedFunction BindLateral(FunctionCallExpr call, Scope scope, ExpressionBinder binder, BindContext context)
        {
            if (call.Args.Count != 1) throw new SqlException("SPLIT_WORDS takes one STRING", call.Position);
            var arg = binder.Bind(call.Args[0], scope);
            return new TableFunctionCall("SPLIT_WORDS", [arg], [new Column("word", SqlType.String), new Column("position", SqlType.Int)]);
        }

        public LogicalPlan BindTableValued(FunctionCallExpr call, LogicalPlan input, Scope inputScope, ExpressionBinder binder, BindContext context) =>
            throw new SqlException("SPLIT_WORDS is only a lateral table function", call.Position);

        public ITableFunctionEvaluator Create(TableFunctionCall call, JobContext context) => new Evaluator(this);

        private sealed class Evaluator(SplitWords owner) : ITableFunctionEvaluator
        {
            public Task<IReadOnlyList<IReadOnlyList<object?[]>>> EvaluateAsync(IReadOnlyList<object?[]> arguments, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref owner.Batches);
                IReadOnlyList<IReadOnlyList<object?[]>> result = arguments
                    .Select(a => (IReadOnlyList<object?[]>)((a[0] as string)?.Split(' ').Select((w, i) => new object?[] { w, i + 1 }).ToList() ?? []))
                    .ToList();
                return Task.FromResult(result);
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task LateralTable_CallsTheRegisteredFunctionPerBatch()
    {
        var fn = new SplitWords();
        var dir = Directory.CreateTempSubdirectory("runnel-tf-").FullName;
        await using var engine = new RunnelEngine(new RunnelEngineOptions
        {
            CatalogPath = Path.Combine(dir, "c.db"),
            TableFunctionBinders = [fn],
            TableFunctionRuntimes = [fn],
            Configuration = new Dictionary<string, string> { ["execution.runtime-mode"] = "batch" },
        });
        var result = (QueryResult)await engine.ExecuteAsync(
            "SELECT t.id, w.word, w.position FROM (VALUES (1, 'hello big world'), (2, CAST(NULL AS STRING))) AS t (id, s) " +
            "LEFT JOIN LATERAL TABLE(SPLIT_WORDS(t.s)) AS w (word, position) ON TRUE");
        var rows = new List<string>();
        await foreach (var row in result.ReadAsync()) rows.Add(row.ToString());
        Assert.Equal(new[] { "+I[1, hello, 1]", "+I[1, big, 2]", "+I[1, world, 3]", "+I[2, NULL, NULL]" }, rows);
        Assert.Equal(1, fn.Batches);
    }

    [Fact]
    public async Task LateralTable_UnknownFunction_IsAPlanningError()
    {
        var dir = Directory.CreateTempSubdirectory("runnel-tf-").FullName;
        await using var engine = new RunnelEngine(new RunnelEngineOptions { CatalogPath = Path.Combine(dir, "c.db") });
        var e = await Assert.ThrowsAsync<SqlException>(() => engine.ExecuteAsync("SELECT * FROM (VALUES (1)) AS t (x), LATERAL TABLE(NOPE(t.x))"));
        Assert.Contains("No table function named 'NOPE'", e.Message, StringComparison.Ordinal);
    }

    /// <summary>SLOW_ID(x): returns x after waiting until another batch is under evaluation too (or 5 s), recording how
    /// many batches were under evaluation at once.</summary>
    private sealed class SlowId : ITableFunctionBinder, ITableFunctionRuntime
    {
        public int Current;
        public int Max;
        public IReadOnlyCollection<string> Names => ["SLOW_ID"];

        public CorrelatedFunction BindLateral(FunctionCallExpr call, Scope scope, ExpressionBinder binder, BindContext context) =>
            new TableFunctionCall("SLOW_ID", [binder.Bind(call.Args[0], scope)], [new Column("y", SqlType.BigInt)]);

        public LogicalPlan BindTableValued(FunctionCallExpr call, LogicalPlan input, Scope inputScope, ExpressionBinder binder, BindContext context) =>
            throw new SqlException("lateral only", call.Position);

        public ITableFunctionEvaluator Create(TableFunctionCall call, JobContext context) => new Evaluator(this);

        private sealed class Evaluator(SlowId owner) : ITableFunctionEvaluator
        {
            public async Task<IReadOnlyList<IReadOnlyList<object?[]>>> EvaluateAsync(IReadOnlyList<object?[]> arguments, CancellationToken cancellationToken)
            {
                var now = Interlocked.Increment(ref owner.Current);
                lock (owner) owner.Max = Math.Max(owner.Max, now);
                var deadline = DateTime.UtcNow.AddSeconds(5);
                while (Volatile.Read(ref owner.Max) < 2 && DateTime.UtcNow < deadline) await Task.Delay(5, cancellationToken);
                await Task.Delay(Random.Shared.Next(0, 20), cancellationToken);
                Interlocked.Decrement(ref owner.Current);
                return arguments.Select(a => (IReadOnlyList<object?[]>)[[a[0]]]).ToList();
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    /// <summary>A batch-mode engine with <paramref name="fn"/> registered and table <c>src (x BIGINT)</c> reading
    /// <paramref name="lines"/> as JSON lines from <c>in.json</c>.</summary>
    private static async Task<RunnelEngine> SlowIdOverFileAsync(SlowId fn, IEnumerable<string> lines)
    {
        var dir = Directory.CreateTempSubdirectory("runnel-tf-").FullName;
        var file = Path.Combine(dir, "in.json");
        await File.WriteAllLinesAsync(file, lines);
        var engine = new RunnelEngine(new RunnelEngineOptions
        {
            CatalogPath = Path.Combine(dir, "c.db"),
            TableFunctionBinders = [fn],
            TableFunctionRuntimes = [fn],
            Configuration = new Dictionary<string, string> { ["execution.runtime-mode"] = "batch" },
        });
        await engine.ExecuteAsync($"CREATE TABLE src (x BIGINT) WITH ('connector' = 'filesystem', 'path' = '{file}', 'format' = 'json')");
        return engine;
    }

    [Fact]
    public async Task LateralTable_EvaluatesSeveralBatchesAtOnce_AndKeepsInputOrder()
    {
        var fn = new SlowId();
        await using var engine = await SlowIdOverFileAsync(fn, Enumerable.Range(0, 5000).Select(i => $"{{\"x\": {i}}}"));
        var result = (QueryResult)await engine.ExecuteAsync("SELECT s.x, f.y FROM src AS s, LATERAL TABLE(SLOW_ID(s.x)) AS f (y)");
        var rows = new List<string>();
        await foreach (var row in result.ReadAsync()) rows.Add(row.ToString());
        Assert.Equal(Enumerable.Range(0, 5000).Select(i => $"+I[{i}, {i}]"), rows);
        Assert.True(fn.Max >= 2, $"at most {fn.Max} batch under evaluation at once");
    }

    [Fact]
    public async Task LateralTable_ABadSourceRow_FailsWithItsFileAndLine_ThroughTheEvaluation()
    {
        await using var engine = await SlowIdOverFileAsync(new SlowId(), Enumerable.Range(0, 3000).Select(i => i == 2500 ? "{\"x\": oops}" : $"{{\"x\": {i}}}"));
        var result = (QueryResult)await engine.ExecuteAsync("SELECT s.x, f.y FROM src AS s, LATERAL TABLE(SLOW_ID(s.x)) AS f (y)");
        var e = await Assert.ThrowsAnyAsync<RunnelException>(async () => { await foreach (var _ in result.ReadAsync()) { } });
        Assert.Contains("in.json:2501", e.Message, StringComparison.Ordinal);
    }
}
