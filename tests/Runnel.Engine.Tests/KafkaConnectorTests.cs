using Runnel.TestSupport;

namespace Runnel.Engine.Tests;

/// <summary>The kafka connector against librdkafka's mock cluster (hosted by kcat): rows written with INSERT INTO are
/// read back by a bounded scan, in each value format.</summary>
public sealed class KafkaConnectorTests
{
    [Theory]
    [InlineData("json")]
    [InlineData("csv")]
    public async Task InsertedRows_AreReadBack_ByABoundedScan(string format)
    {
        await using var cluster = await KafkaMockCluster.StartAsync();
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        var topic = "reviews-" + format;
        await engine.ExecuteAsync($"""
            CREATE TABLE reviews (id INT, text STRING, score DOUBLE) WITH ('connector' = 'kafka', 'topic' = '{topic}',
              'properties.bootstrap.servers' = '{cluster.BootstrapServers}', 'value.format' = '{format}',
              'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset')
            """);
        var job = ((JobResult)await engine.ExecuteAsync("INSERT INTO reviews VALUES (1, 'great', 4.5), (2, 'bad, really', 1.0), (3, 'ok', 3.0)")).Job;
        await job.Completion;
        Assert.Equal(3, job.Counters.RowsWritten);

        var rows = await ModelTestEngine.RowsAsync(engine, "SELECT id, text, score FROM reviews");

        Assert.Equal(["+I[1, great, 4.5]", "+I[2, bad, really, 1.0]", "+I[3, ok, 3.0]"], rows.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ABoundedScanOfATopicThatDoesNotExist_IsEmpty()
    {
        await using var cluster = await KafkaMockCluster.StartAsync();
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        await engine.ExecuteAsync($"CREATE TABLE t (id INT) WITH ('connector' = 'kafka', 'topic' = 'nothing-here', 'properties.bootstrap.servers' = '{cluster.BootstrapServers}', 'format' = 'json', 'scan.bounded.mode' = 'latest-offset')");
        Assert.Empty(await ModelTestEngine.RowsAsync(engine, "SELECT id FROM t"));
    }

    [Fact]
    public async Task MetadataColumns_GiveTopicPartitionOffsetAndTimestamp()
    {
        await using var cluster = await KafkaMockCluster.StartAsync();
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        await engine.ExecuteAsync($"""
            CREATE TABLE events (id INT,
              tp STRING METADATA FROM 'topic' VIRTUAL, part INT METADATA FROM 'partition' VIRTUAL,
              off BIGINT METADATA FROM 'offset' VIRTUAL, ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL)
            WITH ('connector' = 'kafka', 'topic' = 'events', 'properties.bootstrap.servers' = '{cluster.BootstrapServers}',
              'format' = 'json', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset')
            """);
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        await ((JobResult)await engine.ExecuteAsync("INSERT INTO events (id) VALUES (1), (2), (3), (4)")).Job.Completion;

        var result = (QueryResult)await engine.ExecuteAsync("SELECT id, tp, part, off, ts FROM events");
        var rows = new List<object?[]>();
        await foreach (var row in result.ReadAsync()) rows.Add(row.Values);

        Assert.Equal([1, 2, 3, 4], rows.Select(r => (int)r[0]!).Order());
        Assert.All(rows, r => Assert.Equal("events", r[1]));
        // Offsets are unique within a partition and start at 0.
        Assert.Equal(rows.Count, rows.Select(r => ((int)r[2]!, (long)r[3]!)).Distinct().Count());
        Assert.Contains(rows, r => (long)r[3]! == 0);
        Assert.All(rows, r => Assert.InRange((DateTimeOffset)r[4]!, before, DateTimeOffset.UtcNow.AddSeconds(5)));
    }

    [Fact]
    public async Task KeyFields_TravelInTheMessageKey_AndExceptKeyLeavesThemOutOfTheValue()
    {
        await using var cluster = await KafkaMockCluster.StartAsync();
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        await engine.ExecuteAsync($"""
            CREATE TABLE keyed (id INT, text STRING) WITH ('connector' = 'kafka', 'topic' = 'keyed',
              'properties.bootstrap.servers' = '{cluster.BootstrapServers}', 'key.format' = 'json', 'key.fields' = 'id',
              'value.format' = 'json', 'value.fields-include' = 'EXCEPT_KEY',
              'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset')
            """);
        await ((JobResult)await engine.ExecuteAsync("INSERT INTO keyed VALUES (1, 'one'), (2, 'two')")).Job.Completion;

        // What is on the wire, read by another client (kcat): the key holds id, the value only text.
        var wire = (await KafkaMockCluster.ConsumeAsync(cluster.BootstrapServers, "keyed", "%k|%s\\n")).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["{\"id\":1}|{\"text\":\"one\"}", "{\"id\":2}|{\"text\":\"two\"}"], wire);

        Assert.Equal(["+I[1, one]", "+I[2, two]"], (await ModelTestEngine.RowsAsync(engine, "SELECT id, text FROM keyed")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task StartupFromSpecificOffsets_SkipsWhatCameBefore()
    {
        await using var cluster = await KafkaMockCluster.StartAsync();
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        string Table(string name, string startup) => $"""
            CREATE TABLE {name} (id INT, part INT METADATA FROM 'partition' VIRTUAL, off BIGINT METADATA FROM 'offset' VIRTUAL)
            WITH ('connector' = 'kafka', 'topic' = 'clicks', 'properties.bootstrap.servers' = '{cluster.BootstrapServers}',
              'format' = 'json', 'scan.bounded.mode' = 'latest-offset', {startup})
            """;
        await engine.ExecuteAsync(Table("all_clicks", "'scan.startup.mode' = 'earliest-offset'"));
        await ((JobResult)await engine.ExecuteAsync("INSERT INTO all_clicks (id) VALUES (1), (2), (3), (4), (5), (6), (7), (8)")).Job.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        var all = (await ModelTestEngine.RowsAsync(engine, "SELECT id, part, off FROM all_clicks").WaitAsync(TimeSpan.FromSeconds(30)))
            .Select(r => r.Trim('+', 'I', '[', ']').Split(", ").Select(int.Parse).ToArray()).ToList();
        Assert.Equal(8, all.Count);
        // Start every partition at offset 1: the first message of each is skipped.
        var offsets = string.Join(";", all.Select(r => r[1]).Distinct().Select(p => $"partition:{p},offset:1"));
        await engine.ExecuteAsync(Table("skip_first", $"'scan.startup.mode' = 'specific-offsets', 'scan.startup.specific-offsets' = '{offsets}'"));
        var skipped = await ModelTestEngine.RowsAsync(engine, "SELECT id FROM skip_first").WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(all.Where(r => r[2] >= 1).Select(r => $"+I[{r[0]}]").Order(StringComparer.Ordinal), skipped.Order(StringComparer.Ordinal));
    }
}

/// <summary>Startup by timestamp, topic patterns and written metadata, against the mock cluster.</summary>
public sealed class KafkaStartupTests
{
    [Fact]
    public async Task WrittenTimestamps_AreTheMessagesTimestamps()
    {
        await using var cluster = await KafkaMockCluster.StartAsync();
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        await engine.ExecuteAsync(KafkaTables.Timed("timed", cluster.BootstrapServers, "timed", "'scan.startup.mode' = 'earliest-offset'"));
        await KafkaTables.InsertTimedAsync(engine, "timed");
        Assert.Equal(["+I[1, 1970-01-01 00:00:01.000]", "+I[2, 1970-01-01 00:00:02.000]", "+I[3, 1970-01-01 00:00:03.000]", "+I[4, 1970-01-01 00:00:04.000]"],
            (await ModelTestEngine.RowsAsync(engine, "SELECT id, ts FROM timed")).Order(StringComparer.Ordinal));
        // (Startup by timestamp is tested against a real broker: the mock answers every time lookup with the end.)
    }

    [Fact]
    public async Task TopicPattern_ReadsEveryMatchingTopic()
    {
        await using var cluster = await KafkaMockCluster.StartAsync();
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        foreach (var topic in new[] { "orders-eu", "orders-us", "returns-eu" })
        {
            await engine.ExecuteAsync($"CREATE TABLE `{topic}` (id INT, src STRING) WITH ('connector' = 'kafka', 'topic' = '{topic}', 'properties.bootstrap.servers' = '{cluster.BootstrapServers}', 'format' = 'json')");
            await ((JobResult)await engine.ExecuteAsync($"INSERT INTO `{topic}` VALUES (1, '{topic}'), (2, '{topic}')")).Job.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        }
        await engine.ExecuteAsync($"""
            CREATE TABLE orders (id INT, src STRING, tp STRING METADATA FROM 'topic' VIRTUAL) WITH ('connector' = 'kafka',
              'topic-pattern' = 'orders-.*', 'properties.bootstrap.servers' = '{cluster.BootstrapServers}', 'format' = 'json',
              'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset')
            """);
        Assert.Equal(["+I[1, orders-eu, orders-eu]", "+I[1, orders-us, orders-us]", "+I[2, orders-eu, orders-eu]", "+I[2, orders-us, orders-us]"],
            (await ModelTestEngine.RowsAsync(engine, "SELECT id, src, tp FROM orders").WaitAsync(TimeSpan.FromSeconds(30))).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TopicAndTopicPattern_AreExclusive()
    {
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        await engine.ExecuteAsync("CREATE TABLE t (id INT) WITH ('connector' = 'kafka', 'topic' = 'a', 'topic-pattern' = 'a.*', 'properties.bootstrap.servers' = '127.0.0.1:1', 'format' = 'json')");
        var error = await Assert.ThrowsAnyAsync<Runnel.Core.Errors.RunnelException>(async () => await ModelTestEngine.RowsAsync(engine, "SELECT id FROM t"));
        Assert.Contains("exactly one of 'topic' and 'topic-pattern'", error.Message);
    }
}

/// <summary>Source offsets are committed to the consumer group only after the sink acknowledged the rows.</summary>
public sealed class KafkaCommitTests
{
    [Fact]
    public async Task ARestartedStatement_ContinuesAfterTheOffsetsItsSinkAcknowledged()
    {
        await using var cluster = await KafkaMockCluster.StartAsync();
        // A short session: after a member leaves, the mock waits session.timeout.ms - 1 s before the group rebalances.
        await RestartScenarioAsync(cluster.BootstrapServers, "src", "dst", "copier", "'properties.session.timeout.ms' = '6000'");
    }

    /// <summary>Copies topic <paramref name="source"/> to <paramref name="sink"/> as group <paramref name="group"/>,
    /// stops, adds rows, copies again: the second run reads only the new rows, and the sink holds each row once.
    /// Shared with the real-broker suite.</summary>
    internal static async Task RestartScenarioAsync(string servers, string source, string sink, string group, string extra)
    {
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        await engine.ExecuteAsync($"CREATE TABLE src (id INT) WITH ('connector' = 'kafka', 'topic' = '{source}', 'properties.bootstrap.servers' = '{servers}', 'properties.group.id' = '{group}', 'format' = 'json', {extra})");
        await engine.ExecuteAsync($"CREATE TABLE dst (id INT) WITH ('connector' = 'kafka', 'topic' = '{sink}', 'properties.bootstrap.servers' = '{servers}', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset')");
        async Task Produce(int from, int count) => await ((JobResult)await engine.ExecuteAsync(
            "INSERT INTO src VALUES " + string.Join(", ", Enumerable.Range(from, count).Select(i => $"({i})")))).Job.Completion.WaitAsync(TimeSpan.FromSeconds(60));
        await Produce(1, 100);

        await engine.ExecuteAsync("SET 'execution.runtime-mode' = 'streaming'");
        await engine.ExecuteAsync("SET 'execution.checkpointing.interval' = '300ms'");
        async Task<long> RunUntilCommitted(long expected)
        {
            var job = ((JobResult)await engine.ExecuteAsync("INSERT INTO dst SELECT id FROM src")).Job;
            await Until(() => job.Counters.RowsWritten >= expected, job, 60);
            // Offsets are committed while the job runs (after completed checkpoints)...
            await Until(() => job.Counters.SourceCommits >= 1, job, 60);
            await Task.Delay(500);
            // ...and a graceful stop takes a last checkpoint and commits it as the consumer leaves.
            await job.StopAsync();
            return job.Counters.RowsWritten;
        }
        Assert.Equal(100, await RunUntilCommitted(100));

        await engine.ExecuteAsync("SET 'execution.runtime-mode' = 'batch'");
        await Produce(101, 50);
        await engine.ExecuteAsync("SET 'execution.runtime-mode' = 'streaming'");
        // The group's offsets say where the first run got to: only the 50 new rows are read.
        Assert.Equal(50, await RunUntilCommitted(50));

        await engine.ExecuteAsync("SET 'execution.runtime-mode' = 'batch'");
        var written = await ModelTestEngine.RowsAsync(engine, "SELECT id FROM dst").WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(150, written.Count);
        Assert.Equal(150, written.Distinct().Count());
    }

    internal static async Task Until(Func<bool> condition, RunnelJob job, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (job.Completion.IsCompleted) await job.Completion;
            Assert.True(DateTime.UtcNow < deadline, $"not reached in {seconds} s (written {job.Counters.RowsWritten}, commits {job.Counters.SourceCommits})");
            await Task.Delay(50);
        }
    }
}

/// <summary>Tables the Kafka tests share.</summary>
internal static class KafkaTables
{
    /// <summary>A bounded table of (id INT, ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp') on <paramref name="topic"/>.</summary>
    public static string Timed(string name, string servers, string topic, string startup) => $"""
        CREATE TABLE {name} (id INT, ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp')
        WITH ('connector' = 'kafka', 'topic' = '{topic}', 'properties.bootstrap.servers' = '{servers}',
          'format' = 'json', 'scan.bounded.mode' = 'latest-offset', {startup})
        """;

    /// <summary>The message of the error an INSERT job fails with (it must fail).</summary>
    public static async Task<string> InsertErrorAsync(RunnelEngine engine, string insert) =>
        (await Assert.ThrowsAnyAsync<Runnel.Core.Errors.RunnelException>(async () => await ((JobResult)await engine.ExecuteAsync(insert)).Job.Completion)).Message;

    /// <summary>Writes ids 1-4 with message timestamps 1, 2, 3 and 4 s after the epoch.</summary>
    public static async Task InsertTimedAsync(RunnelEngine engine, string table) =>
        await ((JobResult)await engine.ExecuteAsync($"""
            INSERT INTO {table} VALUES (1, TO_TIMESTAMP_LTZ(1000, 3)), (2, TO_TIMESTAMP_LTZ(2000, 3)),
              (3, TO_TIMESTAMP_LTZ(3000, 3)), (4, TO_TIMESTAMP_LTZ(4000, 3))
            """)).Job.Completion.WaitAsync(TimeSpan.FromSeconds(30));
}

/// <summary>upsert-kafka: an updating result written as upserts and tombstones, read back as a changelog.</summary>
public sealed class UpsertKafkaTests
{
    [Fact]
    public async Task AnAggregate_IsWrittenAsUpserts_AndTombstonesReadBackAsDeletes()
    {
        await using var cluster = await KafkaMockCluster.StartAsync();
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        var servers = cluster.BootstrapServers;
        await engine.ExecuteAsync($"CREATE TABLE words (word STRING) WITH ('connector' = 'kafka', 'topic' = 'words', 'properties.bootstrap.servers' = '{servers}', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset')");
        await engine.ExecuteAsync($"""
            CREATE TABLE counts (word STRING, c BIGINT, PRIMARY KEY (word) NOT ENFORCED) WITH ('connector' = 'upsert-kafka',
              'topic' = 'counts', 'properties.bootstrap.servers' = '{servers}', 'key.format' = 'json', 'value.format' = 'json',
              'scan.bounded.mode' = 'latest-offset')
            """);
        async Task Words(string values) => await ((JobResult)await engine.ExecuteAsync($"INSERT INTO words VALUES {values}")).Job.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        async Task<Dictionary<string, string[]>> Wire()
        {
            // Key | value length (-1: a tombstone) | value, the last message of each key.
            return (await KafkaMockCluster.ConsumeAsync(servers, "counts", "%k|%S|%s\\n")).Select(l => l.Split('|')).GroupBy(f => f[0]).ToDictionary(g => g.Key, g => g.Last());
        }
        async Task Until(Func<Dictionary<string, string[]>, bool> condition)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!condition(await Wire())) { Assert.True(DateTime.UtcNow < deadline, "the upserts did not arrive"); await Task.Delay(100); }
        }

        // Streaming: words seen exactly once are kept; a word seen again is retracted (a -U without a +U: a tombstone).
        await engine.ExecuteAsync("SET 'execution.runtime-mode' = 'streaming'");
        var job = ((JobResult)await engine.ExecuteAsync("INSERT INTO counts SELECT word, c FROM (SELECT word, COUNT(*) AS c FROM words GROUP BY word) WHERE c = 1")).Job;
        await engine.ExecuteAsync("SET 'execution.runtime-mode' = 'batch'");
        await Words("('a'), ('b'), ('c')");
        await Until(w => w.Count == 3);
        // The value holds every column (value.fields-include ALL, the default).
        Assert.Equal(["{\"word\":\"a\",\"c\":1}", "{\"word\":\"b\",\"c\":1}", "{\"word\":\"c\",\"c\":1}"], (await Wire()).Values.Select(f => f[2]).Order(StringComparer.Ordinal));
        await Words("('a'), ('b')");
        await Until(w => w["{\"word\":\"a\"}"][1] == "-1" && w["{\"word\":\"b\"}"][1] == "-1");
        await job.StopAsync();
        Assert.Equal("{\"word\":\"c\",\"c\":1}", (await Wire())["{\"word\":\"c\"}"][2]);

        // Read back as a changelog: a and b are deleted, only c is left.
        Assert.Equal(["+I[1, 1]"], await ModelTestEngine.RowsAsync(engine, "SELECT COUNT(*), SUM(c) FROM counts"));
        var changelog = await ModelTestEngine.RowsAsync(engine, "SELECT word, c FROM counts");
        Assert.Contains("-D[a, 1]", changelog);
        Assert.Contains("+I[c, 1]", changelog);
    }

    [Fact]
    public async Task AnUpsertTable_NeedsAPrimaryKey()
    {
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        await engine.ExecuteAsync("CREATE TABLE t (id INT, v STRING) WITH ('connector' = 'upsert-kafka', 'topic' = 't', 'properties.bootstrap.servers' = '127.0.0.1:1', 'key.format' = 'json', 'value.format' = 'json')");
        var error = await Assert.ThrowsAnyAsync<Runnel.Core.Errors.RunnelException>(async () => await ModelTestEngine.RowsAsync(engine, "SELECT id FROM t"));
        Assert.Contains("require a PRIMARY KEY", error.Message);
    }
}

/// <summary>Connections of type 'kafka': tables name one instead of repeating brokers and credentials.</summary>
public sealed class KafkaConnectionTests
{
    [Fact]
    public async Task ATableOnAKafkaConnection_ReadsAndWritesItsBrokers()
    {
        await using var cluster = await KafkaMockCluster.StartAsync();
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        await engine.ExecuteAsync($"CREATE CONNECTION brokers WITH ('type' = 'kafka', 'endpoint' = '{cluster.BootstrapServers}')");
        await engine.ExecuteAsync("CREATE TABLE t (id INT) WITH ('connector' = 'kafka', 'kafka.connection' = 'brokers', 'topic' = 't', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset')");
        await ((JobResult)await engine.ExecuteAsync("INSERT INTO t VALUES (1), (2)")).Job.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["+I[1]", "+I[2]"], (await ModelTestEngine.RowsAsync(engine, "SELECT id FROM t")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SaslCredentials_AreSecrets_AndGoTogether()
    {
        var dir = Directory.CreateTempSubdirectory("runnel-kafka-").FullName;
        await using var engine = ModelTestEngine.Batch(dir);
        var half = await Assert.ThrowsAnyAsync<Runnel.Core.Errors.RunnelException>(() => engine.ExecuteAsync("CREATE CONNECTION k WITH ('type' = 'kafka', 'endpoint' = 'b:9092', 'username' = 'u')"));
        Assert.Contains("'username' and 'password' together", half.Message);
        await engine.ExecuteAsync("CREATE CONNECTION k WITH ('type' = 'kafka', 'endpoint' = 'b:9092', 'username' = 'svc', 'password' = 'hunter2-canary', 'sasl.mechanism' = 'SCRAM-SHA-512')");
        var described = (TableResult)await engine.ExecuteAsync("DESCRIBE CONNECTION k");
        var text = string.Join("\n", described.Rows.Select(r => string.Join("|", r)));
        Assert.Contains("b:9092", text);
        Assert.DoesNotContain("hunter2-canary", text);
        // Encrypted in the catalog: the password is in none of its files.
        foreach (var file in Directory.GetFiles(dir))
            Assert.DoesNotContain("hunter2-canary", System.Text.Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file)));
    }

    [Fact]
    public async Task AConnectionOfAnotherType_IsRefused()
    {
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        await engine.ExecuteAsync("CREATE CONNECTION ai WITH ('type' = 'openai', 'endpoint' = 'http://127.0.0.1:1/v1/chat/completions', 'api-key' = 'k')");
        await engine.ExecuteAsync("CREATE TABLE t (id INT) WITH ('connector' = 'kafka', 'kafka.connection' = 'ai', 'topic' = 't', 'format' = 'json')");
        var error = await Assert.ThrowsAnyAsync<Runnel.Core.Errors.RunnelException>(async () => await ModelTestEngine.RowsAsync(engine, "SELECT id FROM t"));
        Assert.Contains("is of type 'openai', not 'kafka'", error.Message);
    }
}

/// <summary>Managed tables on Kafka: with a kafka connection named as their home, CREATE TABLE without a connector
/// makes a topic-backed table, as in Confluent Cloud.</summary>
public sealed class KafkaManagedTableTests
{
    [Fact]
    public async Task ATableWithoutAConnector_ReadsAndWritesATopicOfItsName()
    {
        await using var cluster = await KafkaMockCluster.StartAsync();
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        await engine.ExecuteAsync($"CREATE CONNECTION home WITH ('type' = 'kafka', 'endpoint' = '{cluster.BootstrapServers}')");
        await engine.ExecuteAsync("SET 'runnel.managed-tables.kafka-connection' = 'home'");
        // (The mock never answers CreateTopics: the statement waits 5 s, then the topic is created on first write.)
        await engine.ExecuteAsync("CREATE TABLE orders (id INT, item STRING)");
        await engine.ExecuteAsync("CREATE TABLE totals (item STRING, n BIGINT, PRIMARY KEY (item) NOT ENFORCED)");

        var orders = ((MessageResult)await engine.ExecuteAsync("SHOW CREATE TABLE orders")).Message;
        Assert.Contains("'connector' = 'kafka'", orders);
        Assert.Contains("'topic' = 'orders'", orders);
        Assert.Contains("'kafka.connection' = 'home'", orders);
        var totals = ((MessageResult)await engine.ExecuteAsync("SHOW CREATE TABLE totals")).Message;
        Assert.Contains("'connector' = 'upsert-kafka'", totals);

        await ((JobResult)await engine.ExecuteAsync("INSERT INTO orders VALUES (1, 'tea'), (2, 'coffee'), (3, 'tea')")).Job.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["+I[1, tea]", "+I[2, coffee]", "+I[3, tea]"], (await ModelTestEngine.RowsAsync(engine, "SELECT id, item FROM orders").WaitAsync(TimeSpan.FromSeconds(30))).Order(StringComparer.Ordinal));
        await ((JobResult)await engine.ExecuteAsync("INSERT INTO totals SELECT item, COUNT(*) FROM orders GROUP BY item")).Job.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["+I[coffee, 1]", "+I[tea, 2]"], (await ModelTestEngine.RowsAsync(engine, "SELECT item, n FROM totals").WaitAsync(TimeSpan.FromSeconds(30))).Order(StringComparer.Ordinal));

        // The rows are in topic 'orders', for any Kafka client.
        var wire = await KafkaMockCluster.ConsumeAsync(cluster.BootstrapServers, "orders");
        Assert.Equal(3, wire.Length);
        Assert.Contains("{\"id\":2,\"item\":\"coffee\"}", wire);
    }
}
