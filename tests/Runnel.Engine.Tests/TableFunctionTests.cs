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
}
