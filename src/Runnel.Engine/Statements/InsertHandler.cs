using Runnel.Core.Errors;
using Runnel.Execution.Runtime;
using Runnel.Sql.Ast;
using Runnel.Sql.Planning;

namespace Runnel.Engine.Statements;

/// <summary>INSERT INTO t SELECT | VALUES: plans the statement and starts its job. The job runs in the background;
/// with <c>table.dml-sync</c> = true the statement waits for it and fails with the job's error.</summary>
internal static class InsertHandler
{
    public static async Task<StatementResult> ExecuteAsync(RunnelEngine engine, InsertStatement statement, CancellationToken cancellationToken)
    {
        var planned = Planner.Insert(engine, engine.BindContext(), statement);
        var job = Start(engine, "insert-into_" + CatalogName(statement), [planned.Physical]);
        if (engine.Session.IsDmlSync) await job.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new JobResult(statement, job);
    }

    private static string CatalogName(InsertStatement s) =>
        $"{Sql.Binding.CatalogNames.DefaultCatalog}.{Sql.Binding.CatalogNames.DefaultDatabase}.{s.Target.Last}";

    /// <summary>Starts one job that runs every sink plan concurrently; it ends when all of them have.</summary>
    internal static RunnelJob Start(RunnelEngine engine, string name, IReadOnlyList<PhysicalPlan> sinks)
    {
        var context = engine.JobContext();
        var operators = sinks.Select(OperatorBuilder.Build).ToList();
        var job = new RunnelJob(name, sinks.All(s => s.IsBounded), context.Counters, async stop =>
        {
            await Task.WhenAll(operators.Select(async op =>
            {
                await foreach (var _ in op.ExecuteAsync(context, stop).ConfigureAwait(false)) { }
            })).ConfigureAwait(false);
        }, context.BatchMode ? null : () => context.Checkpoints.FinalAsync(RunnelJob.FinalCheckpointTimeout));
        engine.Track(job);
        return job;
    }
}

/// <summary>EXECUTE STATEMENT SET BEGIN INSERT ..; .. END: all INSERTs run as one job.</summary>
internal static class StatementSetHandler
{
    public static async Task<StatementResult> ExecuteAsync(RunnelEngine engine, StatementSetStatement statement, CancellationToken cancellationToken)
    {
        if (statement.Inserts.Count == 0) throw new SqlException("A statement set needs at least one INSERT", statement.Position);
        var context = engine.BindContext();
        var plans = statement.Inserts.Select(i => Planner.Insert(engine, context, i).Physical).ToList();
        var job = InsertHandler.Start(engine, "insert-into_" + string.Join(",", statement.Inserts.Select(i => i.Target.Last)), plans);
        if (engine.Session.IsDmlSync) await job.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new JobResult(statement, job);
    }
}

/// <summary>SELECT / VALUES / WITH: plans the query and returns a result to read; nothing runs until it is read.</summary>
internal static class QueryHandler
{
    public static StatementResult Execute(RunnelEngine engine, QueryStatement statement)
    {
        var planned = Planner.Query(engine.BindContext(), statement.Query);
        var context = engine.JobContext();
        var root = OperatorBuilder.Build(planned.Physical);
        return new QueryResult(statement, planned.Physical.Schema, planned.Physical.IsBounded, planned.Physical.IsUpdating, context.Counters,
            ct => root.ExecuteAsync(context, ct));
    }
}
