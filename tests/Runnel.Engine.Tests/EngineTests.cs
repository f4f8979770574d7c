using Runnel.Core.Data;
using Runnel.Core.Errors;
using Runnel.Engine;

namespace Runnel.Engine.Tests;

public sealed class EngineTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("runnel-engine-").FullName;
    private RunnelEngine _engine = null!;

    private string CatalogPath => Path.Combine(_dir, "catalog.db");

    public Task InitializeAsync()
    {
        _engine = new RunnelEngine(new RunnelEngineOptions { CatalogPath = CatalogPath, PrintOutput = TextWriter.Null });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    private async Task<List<Row>> QueryAsync(RunnelEngine engine, string sql, int? take = null, TimeSpan? timeout = null)
    {
        var result = Assert.IsType<QueryResult>(await engine.ExecuteAsync(sql));
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        var rows = new List<Row>();
        await foreach (var row in result.ReadAsync(cts.Token))
        {
            rows.Add(row);
            if (rows.Count == take) break;
        }
        return rows;
    }

    private static async Task RunJobAsync(RunnelEngine engine, string sql)
    {
        var job = Assert.IsType<JobResult>(await engine.ExecuteAsync(sql)).Job;
        await job.Completion.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Catalog_SurvivesARestart()
    {
        await _engine.ExecuteAsync("CREATE TABLE kept (id INT, name STRING) COMMENT 'persisted'");
        await RunJobAsync(_engine, "INSERT INTO kept VALUES (1, 'a')");
        await _engine.ExecuteAsync("CREATE VIEW kept_view AS SELECT name FROM kept");
        await using var second = new RunnelEngine(new RunnelEngineOptions { CatalogPath = CatalogPath, Configuration = new Dictionary<string, string> { ["execution.runtime-mode"] = "batch" } });
        var rows = await QueryAsync(second, "SELECT * FROM kept_view");
        Assert.Equal("a", Assert.Single(rows).Values[0]);
    }

    [Fact]
    public async Task StreamingAggregate_EmitsUpdatesAsRowsArrive()
    {
        await _engine.ExecuteAsync("CREATE TABLE clicks (user_name STRING)");
        await RunJobAsync(_engine, "INSERT INTO clicks VALUES ('ann')");
        var result = Assert.IsType<QueryResult>(await _engine.ExecuteAsync("SELECT user_name, COUNT(*) AS n FROM clicks GROUP BY user_name"));
        Assert.True(result.IsUpdating);
        Assert.False(result.IsBounded);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var rows = new List<string>();
        var inserted = false;
        await foreach (var row in result.ReadAsync(cts.Token))
        {
            rows.Add(row.ToString());
            if (!inserted)
            {
                inserted = true;
                await using var other = new RunnelEngine(new RunnelEngineOptions { CatalogPath = CatalogPath });
                await RunJobAsync(other, "INSERT INTO clicks VALUES ('ann')");
            }
            if (rows.Count == 3) break;
        }
        Assert.Equal(new[] { "+I[ann, 1]", "-U[ann, 1]", "+U[ann, 2]" }, rows);
    }

    [Fact]
    public async Task StreamingLeftJoin_RetractsThePaddedRowWhenAMatchArrives()
    {
        await _engine.ExecuteAsync("CREATE TABLE l (k INT, a STRING)");
        await _engine.ExecuteAsync("CREATE TABLE r (k INT, b STRING)");
        await RunJobAsync(_engine, "INSERT INTO l VALUES (1, 'left')");
        var result = Assert.IsType<QueryResult>(await _engine.ExecuteAsync("SELECT l.a, r.b FROM l LEFT JOIN r ON l.k = r.k"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var rows = new List<string>();
        await foreach (var row in result.ReadAsync(cts.Token))
        {
            rows.Add(row.ToString());
            if (rows.Count == 1) await RunJobAsync(_engine, "INSERT INTO r VALUES (1, 'right')");
            if (rows.Count == 3) break;
        }
        Assert.Equal(new[] { "+I[left, NULL]", "-D[left, NULL]", "+I[left, right]" }, rows);
    }

    [Fact]
    public async Task UnboundedInsert_StoppedGracefully_CommitsItsFiles()
    {
        var outDir = Path.Combine(_dir, "out");
        await _engine.ExecuteAsync("CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '200')");
        await _engine.ExecuteAsync($"CREATE TABLE dst (id BIGINT) WITH ('connector' = 'filesystem', 'path' = '{outDir}', 'format' = 'csv')");
        var job = Assert.IsType<JobResult>(await _engine.ExecuteAsync("INSERT INTO dst SELECT id FROM src")).Job;
        Assert.False(job.IsBounded);
        while (job.Counters.RowsWritten < 50) await Task.Delay(20);
        await job.StopAsync();
        Assert.Equal(JobStatus.Canceled, job.Status);
        var files = Directory.GetFiles(outDir);
        Assert.All(files, f => Assert.StartsWith("part-", Path.GetFileName(f), StringComparison.Ordinal));
        Assert.Equal(job.Counters.RowsWritten, files.Sum(f => File.ReadAllLines(f).Length));
    }

    [Fact]
    public async Task BatchMode_ReadsAManagedTableAsASnapshot()
    {
        await _engine.ExecuteAsync("CREATE TABLE m (v INT)");
        await RunJobAsync(_engine, "INSERT INTO m VALUES (1), (2), (3)");
        await _engine.ExecuteAsync("SET 'execution.runtime-mode' = 'batch'");
        var rows = await QueryAsync(_engine, "SELECT SUM(v) FROM m");
        Assert.Equal(6, Assert.Single(rows).Values[0]);
    }

    [Fact]
    public async Task UpdatingQuery_IntoAppendOnlySink_IsRejected()
    {
        await _engine.ExecuteAsync("CREATE TABLE s (v INT) WITH ('connector' = 'datagen')");
        await _engine.ExecuteAsync($"CREATE TABLE f (v INT, n BIGINT) WITH ('connector' = 'filesystem', 'path' = '{_dir}/f', 'format' = 'json')");
        var e = await Assert.ThrowsAsync<SqlException>(() => _engine.ExecuteAsync("INSERT INTO f SELECT v, COUNT(*) FROM s GROUP BY v"));
        Assert.Contains("doesn't support consuming update changes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DmlSync_MakesInsertWaitAndFailWithTheJobsError()
    {
        await _engine.ExecuteAsync("SET 'table.dml-sync' = 'true'");
        await _engine.ExecuteAsync("CREATE TABLE t (n INT)");
        await Assert.ThrowsAsync<EvaluationException>(() => _engine.ExecuteAsync("INSERT INTO t SELECT CAST('x' AS INT)"));
    }

    [Fact]
    public async Task UnknownConnector_ListsTheAvailableOnes()
    {
        var e = await Assert.ThrowsAsync<RunnelException>(() => _engine.ExecuteAsync("CREATE TABLE t (a INT) WITH ('connector' = 'filesytem')"));
        Assert.Contains("filesystem", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Set_InvalidRuntimeMode_IsRejected()
    {
        var e = await Assert.ThrowsAsync<OptionException>(() => _engine.ExecuteAsync("SET 'execution.runtime-mode' = 'fast'"));
        Assert.Contains("'streaming' or 'batch'", e.Message, StringComparison.Ordinal);
    }
}
