using Npgsql;
using Runnel.Catalog.Stores;
using Runnel.TestSupport;

namespace Runnel.Engine.Tests;

/// <summary>The shared catalog in PostgreSQL (Debian's server, started by the test): what one worker creates, another
/// sees — tables, connections with their secrets, models with their trained artifacts.</summary>
public sealed class PostgresCatalogTests
{
    private static RunnelEngine Worker(PostgresServer pg, string data) => new(new RunnelEngineOptions
    {
        Store = new PostgresCatalogStore(pg.Uri, data),
        Configuration = new Dictionary<string, string> { ["execution.runtime-mode"] = "batch" },
    });

    [Fact]
    public async Task WhatOneWorkerCreates_AnotherSees()
    {
        await using var pg = await PostgresServer.StartAsync();
        // Both workers hold the same secret key (the same catalog.key here; RUNNEL_SECRET_KEY across machines).
        var data = Directory.CreateTempSubdirectory("runnel-pg-").FullName;
        var file = Path.Combine(data, "labelled.csv");
        await File.WriteAllLinesAsync(file, ["great product,POSITIVE", "love it,POSITIVE", "works great,POSITIVE", "terrible,NEGATIVE", "broke at once,NEGATIVE", "awful quality,NEGATIVE"]);

        await using (var first = Worker(pg, data))
        {
            await first.ExecuteAsync($"CREATE TABLE labelled (text STRING, label STRING) WITH ('connector' = 'filesystem', 'path' = '{file}', 'format' = 'csv')");
            await first.ExecuteAsync("CREATE CONNECTION ai WITH ('type' = 'openai', 'endpoint' = 'https://api.openai.com/v1/chat/completions', 'api-key' = 'sk-canary-4711')");
            await first.ExecuteAsync("CREATE MODEL sentiment INPUT (text STRING) OUTPUT (label STRING) WITH ('provider' = 'local', 'task' = 'classification') AS SELECT text, label FROM labelled");
        }

        await using var second = Worker(pg, data);
        var tables = (TableResult)await second.ExecuteAsync("SHOW TABLES");
        Assert.Contains(tables.Rows, r => Equals(r[0], "labelled"));
        var connection = (TableResult)await second.ExecuteAsync("DESCRIBE CONNECTION ai");
        Assert.Contains(connection.Rows, r => Equals(r[0], "ai") && Equals(r[1], "OPENAI"));
        // The model's trained artifact came through the database: the second worker predicts with it.
        var predicted = await ModelTestEngine.RowsAsync(second, "SELECT text, p.label FROM labelled, LATERAL TABLE(ML_PREDICT('sentiment', text)) AS p(label)");
        Assert.Equal(6, predicted.Count);
        Assert.Contains("+I[great product, POSITIVE]", predicted);

        // Secrets are encrypted in the shared catalog.
        await using (var c = new NpgsqlConnection(PostgresCatalogStore.ToConnectionString(pg.Uri)))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT string_agg(definition, ' ') FROM catalog_objects", c);
            var all = (string)(await cmd.ExecuteScalarAsync())!;
            Assert.Contains("labelled", all);
            Assert.DoesNotContain("sk-canary-4711", all);
        }

        // A drop by one worker is seen by the other.
        await second.ExecuteAsync("DROP MODEL sentiment");
        await using var third = Worker(pg, data);
        var error = await Assert.ThrowsAnyAsync<Runnel.Core.Errors.RunnelException>(() => third.ExecuteAsync("DESCRIBE MODEL sentiment"));
        Assert.Contains("sentiment", error.Message);
    }

    [Fact]
    public void AUri_BecomesAConnectionString_AndAnUnreachableServer_IsAClearError()
    {
        var s = PostgresCatalogStore.ToConnectionString("postgresql://runnel:p%40ss@db.example:6543/catalog?sslmode=require");
        var b = new NpgsqlConnectionStringBuilder(s);
        Assert.Equal(("db.example", 6543, "catalog", "runnel", "p@ss", SslMode.Require), (b.Host, b.Port, b.Database, b.Username, b.Password, b.SslMode));

        var error = Assert.ThrowsAny<Runnel.Core.Errors.RunnelException>(() => new PostgresCatalogStore("postgresql://runnel:secret-pw@127.0.0.1:1/catalog?timeout=2", Directory.CreateTempSubdirectory().FullName));
        Assert.Contains("postgresql://runnel@127.0.0.1:1/catalog", error.Message);
        Assert.DoesNotContain("secret-pw", error.Message);
    }
}
