using Runnel.TestSupport;

namespace Runnel.Engine.Tests;

/// <summary>Flink's kafka options beyond the round trips, against librdkafka's mock cluster in this process: bounded
/// modes, key.fields-prefix, sink.partitioner, partition discovery, upsert-kafka's sink.buffer-flush, and the
/// delivery guarantee that is refused.</summary>
public sealed class KafkaOptionTests
{
    private static string Table(string name, string servers, string topic, string options, string columns = "id INT, part INT METADATA FROM 'partition' VIRTUAL, off BIGINT METADATA FROM 'offset' VIRTUAL") => $"""
        CREATE TABLE {name} ({columns}) WITH ('connector' = 'kafka', 'topic' = '{topic}',
          'properties.bootstrap.servers' = '{servers}', 'format' = 'json', {options})
        """;

    private static async Task InsertAsync(RunnelEngine engine, string table, IEnumerable<int> ids) =>
        await ((JobResult)await engine.ExecuteAsync($"INSERT INTO {table} (id) VALUES " + string.Join(", ", ids.Select(i => $"({i})"))))
            .Job.Completion.WaitAsync(TimeSpan.FromSeconds(60));

    /// <summary>(id, partition, offset) of every row of a bounded query.</summary>
    private static async Task<List<(int Id, int Part, long Off)>> ReadAsync(RunnelEngine engine, string table)
    {
        var result = (QueryResult)await engine.ExecuteAsync($"SELECT id, part, off FROM {table}");
        var rows = new List<(int, int, long)>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await foreach (var row in result.ReadAsync(timeout.Token)) rows.Add(((int)row.Values[0]!, (int)row.Values[1]!, (long)row.Values[2]!));
        return rows;
    }

    [Fact]
    public async Task BoundedBySpecificOffsets_StopsBeforeEachOffset_AndSkipsPartitionsNotNamed()
    {
        using var mock = new InProcessKafkaMock();
        mock.CreateTopic("clicks", 3);
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        await engine.ExecuteAsync(Table("clicks", mock.BootstrapServers, "clicks",
            "'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset', 'sink.partitioner' = 'round-robin'"));
        await InsertAsync(engine, "clicks", Enumerable.Range(1, 30));
        var all = await ReadAsync(engine, "clicks");
        Assert.Equal(30, all.Count);
        var parts = all.Select(r => r.Part).Distinct().Order().ToList();
        Assert.Equal([0, 1, 2], parts);

        // Stop the first partition before offset 2 and the second before offset 1; the third is not named.
        await engine.ExecuteAsync(Table("head", mock.BootstrapServers, "clicks",
            $"'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'specific-offsets', 'scan.bounded.specific-offsets' = 'partition:{parts[0]},offset:2;partition:{parts[1]},offset:1'"));
        var head = await ReadAsync(engine, "head");
        var expected = all.Where(r => (r.Part == parts[0] && r.Off < 2) || (r.Part == parts[1] && r.Off < 1)).ToList();
        Assert.Equal(3, expected.Count);
        Assert.Equal(expected.Order(), head.Order());
    }

    [Fact]
    public async Task BoundedByGroupOffsets_ReadsWhatTheGroupCommitted()
    {
        using var mock = new InProcessKafkaMock();
        mock.CreateTopic("orders", 2);
        mock.CreateTopic("copied", 2);
        var servers = mock.BootstrapServers;
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        await engine.ExecuteAsync(Table("orders", servers, "orders", "'properties.group.id' = 'billing'"));
        await engine.ExecuteAsync(Table("copied", servers, "copied", "'scan.startup.mode' = 'earliest-offset'"));
        await InsertAsync(engine, "orders", Enumerable.Range(1, 40));

        // Group 'billing' copies the 40 rows and commits their offsets; then 10 more rows come.
        await engine.ExecuteAsync("SET 'execution.runtime-mode' = 'streaming'");
        await engine.ExecuteAsync("SET 'execution.checkpointing.interval' = '300ms'");
        var job = ((JobResult)await engine.ExecuteAsync("INSERT INTO copied SELECT id FROM orders")).Job;
        await KafkaCommitTests.Until(() => job.Counters.RowsWritten >= 40, job, 60);
        await job.StopAsync();
        await engine.ExecuteAsync("SET 'execution.runtime-mode' = 'batch'");
        await InsertAsync(engine, "orders", Enumerable.Range(41, 10));

        await engine.ExecuteAsync(Table("billed", servers, "orders",
            "'properties.group.id' = 'billing', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'group-offsets'"));
        Assert.Equal(Enumerable.Range(1, 40), (await ReadAsync(engine, "billed")).Select(r => r.Id).Order());

        // Without a group there are no committed offsets to stop at.
        await engine.ExecuteAsync(Table("nogroup", servers, "orders", "'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'group-offsets'"));
        var error = await Assert.ThrowsAnyAsync<Runnel.Core.Errors.RunnelException>(() => ReadAsync(engine, "nogroup"));
        Assert.Contains("'group-offsets' needs 'properties.group.id'", error.Message);
    }

    [Fact]
    public async Task KeyFieldsPrefix_IsLeftOutOfTheKeyFormat()
    {
        await using var cluster = await KafkaMockCluster.StartAsync();
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        await engine.ExecuteAsync($"""
            CREATE TABLE keyed (k_id INT, id STRING) WITH ('connector' = 'kafka', 'topic' = 'keyed',
              'properties.bootstrap.servers' = '{cluster.BootstrapServers}', 'key.format' = 'json', 'key.fields' = 'k_id',
              'key.fields-prefix' = 'k_', 'value.format' = 'json', 'value.fields-include' = 'EXCEPT_KEY',
              'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset')
            """);
        await ((JobResult)await engine.ExecuteAsync("INSERT INTO keyed VALUES (1, 'one'), (2, 'two')")).Job.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        // The key's field is 'id', the value's field 'id' too: the prefix is what tells them apart in the table.
        var wire = (await KafkaMockCluster.ConsumeAsync(cluster.BootstrapServers, "keyed", "%k|%s\\n")).Order(StringComparer.Ordinal);
        Assert.Equal(["{\"id\":1}|{\"id\":\"one\"}", "{\"id\":2}|{\"id\":\"two\"}"], wire);
        Assert.Equal(["+I[1, one]", "+I[2, two]"], (await ModelTestEngine.RowsAsync(engine, "SELECT k_id, id FROM keyed")).Order(StringComparer.Ordinal));

        // Flink's rule: the prefix needs the key columns out of the value.
        await engine.ExecuteAsync($"""
            CREATE TABLE mixed (k_id INT, text STRING) WITH ('connector' = 'kafka', 'topic' = 'keyed',
              'properties.bootstrap.servers' = '{cluster.BootstrapServers}', 'key.format' = 'json', 'key.fields' = 'k_id',
              'key.fields-prefix' = 'k_', 'value.format' = 'json')
            """);
        var error = await KafkaTables.InsertErrorAsync(engine, "INSERT INTO mixed VALUES (3, 'three')");
        Assert.Contains("'key.fields-prefix' needs 'value.fields-include' = 'EXCEPT_KEY'", error);
    }

    [Fact]
    public async Task RoundRobin_SpreadsKeylessMessagesEvenly_AndFixed_WritesPartitionZero()
    {
        using var mock = new InProcessKafkaMock();
        mock.CreateTopic("spread", 4);
        mock.CreateTopic("pinned", 4);
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        const string Read = "'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset'";
        await engine.ExecuteAsync(Table("spread", mock.BootstrapServers, "spread", Read + ", 'sink.partitioner' = 'round-robin'"));
        await engine.ExecuteAsync(Table("pinned", mock.BootstrapServers, "pinned", Read + ", 'sink.partitioner' = 'fixed'"));
        await InsertAsync(engine, "spread", Enumerable.Range(1, 40));
        await InsertAsync(engine, "pinned", Enumerable.Range(1, 40));

        var spread = await ReadAsync(engine, "spread");
        Assert.Equal(Enumerable.Range(1, 40), spread.Select(r => r.Id).Order());
        Assert.Equal([10, 10, 10, 10], spread.GroupBy(r => r.Part).OrderBy(g => g.Key).Select(g => g.Count()));
        var pinned = await ReadAsync(engine, "pinned");
        Assert.Equal(40, pinned.Count);
        Assert.All(pinned, r => Assert.Equal(0, r.Part));

        // Flink's custom partitioner classes are Java.
        var error = await Assert.ThrowsAnyAsync<Runnel.Core.Errors.RunnelException>(() => engine.ExecuteAsync(
            Table("custom", mock.BootstrapServers, "spread", "'sink.partitioner' = 'com.acme.RegionPartitioner'")));
        Assert.Contains("expected one of: default, fixed, round-robin", error.Message);
    }

    [Fact]
    public async Task ExactlyOnce_IsRefusedWithTheReason()
    {
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        await engine.ExecuteAsync(Table("t", "127.0.0.1:1", "t", "'sink.delivery-guarantee' = 'exactly-once', 'sink.transactional-id-prefix' = 'runnel'", "id INT"));
        var error = await KafkaTables.InsertErrorAsync(engine, "INSERT INTO t VALUES (1)");
        Assert.Contains("'exactly-once' is not offered", error);
        Assert.Contains("at-least-once", error);

        // Flink's older option name says the same.
        await engine.ExecuteAsync(Table("old", "127.0.0.1:1", "t", "'sink.semantic' = 'exactly-once'", "id INT"));
        error = await KafkaTables.InsertErrorAsync(engine, "INSERT INTO old VALUES (1)");
        Assert.Contains("'exactly-once' is not offered", error);
    }

    [Fact]
    public async Task PartitionDiscovery_ReadsTopicsThatAppearAfterTheScanStarted()
    {
        using var mock = new InProcessKafkaMock();
        mock.CreateTopic("sensor-a", 1);
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        var servers = mock.BootstrapServers;
        await engine.ExecuteAsync(Table("a", servers, "sensor-a", "'scan.startup.mode' = 'earliest-offset'", "id INT"));
        await engine.ExecuteAsync(Table("b", servers, "sensor-b", "'scan.startup.mode' = 'earliest-offset'", "id INT"));
        await engine.ExecuteAsync($"""
            CREATE TABLE sensors (id INT, src STRING METADATA FROM 'topic' VIRTUAL) WITH ('connector' = 'kafka',
              'topic-pattern' = 'sensor-.*', 'properties.bootstrap.servers' = '{servers}', 'format' = 'json',
              'scan.startup.mode' = 'earliest-offset', 'scan.topic-partition-discovery.interval' = '500 ms')
            """);
        await InsertAsync(engine, "a", [1, 2]);

        await engine.ExecuteAsync("SET 'execution.runtime-mode' = 'streaming'");
        var query = (QueryResult)await engine.ExecuteAsync("SELECT id, src FROM sensors");
        await engine.ExecuteAsync("SET 'execution.runtime-mode' = 'batch'");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new List<string>();
        await using var rows = query.ReadAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        while (seen.Count < 2 && await rows.MoveNextAsync()) seen.Add(rows.Current.ToString());
        Assert.Equal(["+I[1, sensor-a]", "+I[2, sensor-a]"], seen.Order(StringComparer.Ordinal));

        // Topic sensor-b does not exist when the scan starts; it is found and read from its beginning.
        mock.CreateTopic("sensor-b", 2);
        await InsertAsync(engine, "b", [3, 4, 5]);
        while (seen.Count < 5 && await rows.MoveNextAsync()) seen.Add(rows.Current.ToString());
        Assert.Equal(["+I[1, sensor-a]", "+I[2, sensor-a]", "+I[3, sensor-b]", "+I[4, sensor-b]", "+I[5, sensor-b]"], seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task UpsertBufferFlush_WritesEachKeysLastChangeOnce()
    {
        await using var cluster = await KafkaMockCluster.StartAsync();
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        string Upsert(string name, string topic, string buffer) => $"""
            CREATE TABLE {name} (sensor STRING, reading INT, PRIMARY KEY (sensor) NOT ENFORCED) WITH ('connector' = 'upsert-kafka',
              'topic' = '{topic}', 'properties.bootstrap.servers' = '{cluster.BootstrapServers}', 'key.format' = 'json', 'value.format' = 'json'{buffer})
            """;
        await engine.ExecuteAsync(Upsert("buffered", "buffered", ", 'sink.buffer-flush.max-rows' = '1000', 'sink.buffer-flush.interval' = '1 s'"));
        await engine.ExecuteAsync(Upsert("plain", "plain", ""));
        var values = string.Join(", ", Enumerable.Range(1, 20).Select(i => $"('{(i % 2 == 0 ? "north" : "south")}', {i})"));
        foreach (var table in new[] { "buffered", "plain" })
            await ((JobResult)await engine.ExecuteAsync($"INSERT INTO {table} VALUES {values}")).Job.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        // Unbuffered, every change is a message; buffered, each key's last one.
        Assert.Equal(20, (await KafkaMockCluster.ConsumeAsync(cluster.BootstrapServers, "plain")).Length);
        Assert.Equal(["{\"sensor\":\"north\"}|{\"sensor\":\"north\",\"reading\":20}", "{\"sensor\":\"south\"}|{\"sensor\":\"south\",\"reading\":19}"],
            (await KafkaMockCluster.ConsumeAsync(cluster.BootstrapServers, "buffered", "%k|%s\\n")).Order(StringComparer.Ordinal));

        // Flink's rule: both options or neither.
        await engine.ExecuteAsync(Upsert("half", "half", ", 'sink.buffer-flush.max-rows' = '1000'"));
        var error = await KafkaTables.InsertErrorAsync(engine, "INSERT INTO half VALUES ('x', 1)");
        Assert.Contains("must both be greater than zero", error);
    }
}

/// <summary>topic-pattern in a consumer group: the pattern is matched as Flink (Java) would, by Runnel, not by
/// librdkafka's POSIX regular expressions.</summary>
public sealed class KafkaGroupPatternTests
{
    [Fact]
    public async Task AGroupReadsEveryTopicThePatternMatches_AndTopicsThatAppearLater()
    {
        using var mock = new InProcessKafkaMock();
        mock.CreateTopic("metrics-1", 2);
        mock.CreateTopic("metrics-2", 2);
        mock.CreateTopic("metrics-x", 1);
        var servers = mock.BootstrapServers;
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        foreach (var topic in new[] { "metrics-1", "metrics-2", "metrics-x", "metrics-3" })
            await engine.ExecuteAsync($"CREATE TABLE `{topic}` (id INT) WITH ('connector' = 'kafka', 'topic' = '{topic}', 'properties.bootstrap.servers' = '{servers}', 'format' = 'json')");
        await ((JobResult)await engine.ExecuteAsync("INSERT INTO `metrics-1` VALUES (1), (2)")).Job.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        await ((JobResult)await engine.ExecuteAsync("INSERT INTO `metrics-2` VALUES (3)")).Job.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        await ((JobResult)await engine.ExecuteAsync("INSERT INTO `metrics-x` VALUES (99)")).Job.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        // \d is Java's (and .NET's) digit class; POSIX regular expressions have no such thing. (A short session: the mock
        // waits session.timeout.ms - 1 s for members to rejoin after the subscription grows.)
        await engine.ExecuteAsync($$"""
            CREATE TABLE metrics (id INT, src STRING METADATA FROM 'topic' VIRTUAL) WITH ('connector' = 'kafka',
              'topic-pattern' = 'metrics-\d+', 'properties.bootstrap.servers' = '{{servers}}', 'properties.group.id' = 'dashboards', 'properties.session.timeout.ms' = '6000',
              'format' = 'json', 'scan.topic-partition-discovery.interval' = '500 ms')
            """);

        await engine.ExecuteAsync("SET 'execution.runtime-mode' = 'streaming'");
        var query = (QueryResult)await engine.ExecuteAsync("SELECT id, src FROM metrics");
        await engine.ExecuteAsync("SET 'execution.runtime-mode' = 'batch'");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new List<string>();
        await using var rows = query.ReadAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        while (seen.Count < 3 && await rows.MoveNextAsync()) seen.Add(rows.Current.ToString());
        Assert.Equal(["+I[1, metrics-1]", "+I[2, metrics-1]", "+I[3, metrics-2]"], seen.Order(StringComparer.Ordinal));

        mock.CreateTopic("metrics-3", 1);
        await ((JobResult)await engine.ExecuteAsync("INSERT INTO `metrics-3` VALUES (4)")).Job.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        while (seen.Count < 4 && await rows.MoveNextAsync()) seen.Add(rows.Current.ToString());
        Assert.Equal("+I[4, metrics-3]", seen[^1]);
    }
}

/// <summary>Back-pressure: a model that stops answering for longer than max.poll.interval.ms does not push the worker
/// out of its consumer group (the source pauses its partitions and keeps polling).</summary>
public sealed class KafkaBackPressureTests
{
    [Fact]
    public async Task AModelOutageLongerThanMaxPollInterval_KeepsTheWorkerInItsGroup_AndLosesNothing()
    {
        using var mock = new InProcessKafkaMock();
        mock.CreateTopic("tickets", 2);
        mock.CreateTopic("triaged", 2);
        await using var model = await FakeModelServer.StartAsync();
        model.LatencyMs = 2;
        var servers = mock.BootstrapServers;
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        await engine.ExecuteAsync($"CREATE CONNECTION c WITH ('type' = 'openai', 'endpoint' = '{model.ChatUrl}', 'api-key' = 'k')");
        await engine.ExecuteAsync("CREATE MODEL m INPUT (text STRING) OUTPUT (answer STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'c')");
        // max.poll.interval.ms at its floor (the session timeout): a poll loop blocked behind the model for 7 s would
        // be thrown out of the group, and its partitions read again by the group.
        await engine.ExecuteAsync($"""
            CREATE TABLE tickets (id INT, text STRING) WITH ('connector' = 'kafka', 'topic' = 'tickets',
              'properties.bootstrap.servers' = '{servers}', 'properties.group.id' = 'triage', 'format' = 'json',
              'properties.session.timeout.ms' = '6000', 'properties.max.poll.interval.ms' = '7000')
            """);
        await engine.ExecuteAsync($"CREATE TABLE triaged (id INT, answer STRING) WITH ('connector' = 'kafka', 'topic' = 'triaged', 'properties.bootstrap.servers' = '{servers}', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset')");
        // More rows than the pipeline holds (model stage, scan channel, source read-ahead), so the source is behind
        // during the outage.
        const int rows = 30_000;
        for (var from = 1; from <= rows; from += 5000)
            await ((JobResult)await engine.ExecuteAsync("INSERT INTO tickets VALUES " + string.Join(", ", Enumerable.Range(from, 5000).Select(i => $"({i}, 'ticket {i}')"))))
                .Job.Completion.WaitAsync(TimeSpan.FromSeconds(60));

        await engine.ExecuteAsync("SET 'execution.runtime-mode' = 'streaming'");
        await engine.ExecuteAsync("SET 'execution.checkpointing.interval' = '500ms'");
        var job = ((JobResult)await engine.ExecuteAsync("INSERT INTO triaged SELECT id, answer FROM tickets, LATERAL TABLE(ML_PREDICT('m', text))")).Job;
        await KafkaCommitTests.Until(() => job.Counters.RowsWritten >= 500, job, 60);

        // The provider is down for 12 s, well past max.poll.interval.ms.
        model.Outage = true;
        await Task.Delay(TimeSpan.FromSeconds(12));
        Assert.False(job.Completion.IsCompleted, $"the job ended during the outage: {job.Error?.Message}");
        var writtenDuringOutage = job.Counters.RowsWritten;
        Assert.True(writtenDuringOutage < rows, "the outage stopped the job's progress");
        model.Outage = false;

        await KafkaCommitTests.Until(() => job.Counters.RowsWritten >= rows, job, 90);
        await Task.Delay(1000); // rows read again after a rebalance would arrive now
        await job.StopAsync();
        Assert.DoesNotContain(job.Counters.Warnings, w => w.Contains("revoked", StringComparison.OrdinalIgnoreCase) || w.Contains("poll", StringComparison.OrdinalIgnoreCase));

        await engine.ExecuteAsync("SET 'execution.runtime-mode' = 'batch'");
        var written = await ModelTestEngine.RowsAsync(engine, "SELECT id FROM triaged").WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(rows, written.Count);
        Assert.Equal(rows, written.Distinct().Count());
    }
}

/// <summary>Event time on a topic of several partitions: a watermark per partition, the smallest passed on (Flink's
/// split-aware watermarks), so a partition read behind the others does not make its rows late; an idle partition
/// stops holding the others back after the idle timeout.</summary>
public sealed class KafkaWatermarkTests
{
    private static string Clicks(string servers, string extra = "") => $"""
        CREATE TABLE clicks (id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'kafka',
          'topic' = 'clicks', 'properties.bootstrap.servers' = '{servers}', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset'{extra})
        """;

    private const string PerMinute = "SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end";

    private static IEnumerable<string> At(string time, params int[] ids) => ids.Select(i => $$"""{"id":{{i}},"ts":"2026-11-21 {{time}}"}""");

    /// <summary>Starts the per-minute query and collects its first <paramref name="count"/> windows.</summary>
    private static async Task<(QueryResult Query, Task<List<string>> Windows)> WindowsAsync(RunnelEngine engine, int count)
    {
        await engine.ExecuteAsync("SET 'execution.runtime-mode' = 'streaming'");
        var query = (QueryResult)await engine.ExecuteAsync(PerMinute);
        var windows = Task.Run(async () =>
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var list = new List<string>();
            await foreach (var row in query.ReadAsync(timeout.Token))
            {
                list.Add(row.ToString());
                if (list.Count == count) break;
            }
            return list;
        });
        await Task.Delay(1000); // the scan assigns itself the partitions
        return (query, windows);
    }

    [Fact]
    public async Task APartitionReadBehindTheOther_KeepsItsRows()
    {
        using var mock = new InProcessKafkaMock();
        mock.CreateTopic("clicks", 2);
        var servers = mock.BootstrapServers;
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        await engine.ExecuteAsync(Clicks(servers));
        var (_, windows) = await WindowsAsync(engine, 2);

        // Partition 0 is five minutes ahead and is read first; partition 1's rows come later but are on time for
        // their own partition.
        await KafkaMockCluster.ProduceAsync(servers, "clicks", 0, At("10:05:10", 1, 2, 3));
        await Task.Delay(2000);
        await KafkaMockCluster.ProduceAsync(servers, "clicks", 1, At("10:00:10", 4, 5, 6));
        await Task.Delay(1000);
        // Both partitions move past both windows.
        await KafkaMockCluster.ProduceAsync(servers, "clicks", 0, At("10:20:00", 7));
        await KafkaMockCluster.ProduceAsync(servers, "clicks", 1, At("10:20:00", 8));

        Assert.Equal(["+I[2026-11-21 10:00:00.000, 3]", "+I[2026-11-21 10:05:00.000, 3]"], (await windows).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ARowBehindTheWatermark_IsDroppedAndCounted()
    {
        using var mock = new InProcessKafkaMock();
        mock.CreateTopic("clicks", 1);
        var servers = mock.BootstrapServers;
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        await engine.ExecuteAsync(Clicks(servers));
        var (query, windows) = await WindowsAsync(engine, 2);

        await KafkaMockCluster.ProduceAsync(servers, "clicks", 0, At("10:00:10", 1));
        await KafkaMockCluster.ProduceAsync(servers, "clicks", 0, At("10:05:00", 2)); // the 10:00 window closes
        await Task.Delay(1000); // (a row in the same batch would still count: the watermark moves after each batch)
        await KafkaMockCluster.ProduceAsync(servers, "clicks", 0, At("10:00:20", 3)); // late for it
        await KafkaMockCluster.ProduceAsync(servers, "clicks", 0, At("10:20:00", 4));
        Assert.Equal(["+I[2026-11-21 10:00:00.000, 1]", "+I[2026-11-21 10:05:00.000, 1]"], (await windows).Order(StringComparer.Ordinal));
        Assert.Equal(1, query.Counters.LateRowsDropped);
    }

    [Fact]
    public async Task TheSessionIdleTimeout_IsADuration()
    {
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        var error = await Assert.ThrowsAnyAsync<Runnel.Core.Errors.RunnelException>(() => engine.ExecuteAsync("SET 'table.exec.source.idle-timeout' = 'soon'"));
        Assert.Contains("expected a duration such as '15 s' (0: never idle)", error.Message);
        await engine.ExecuteAsync("SET 'table.exec.source.idle-timeout' = '0'");
        Assert.Equal(TimeSpan.Zero, engine.Session.IdleTimeout);
    }

    [Fact]
    public async Task AnIdlePartition_StopsHoldingTheWatermarkBack()
    {
        using var mock = new InProcessKafkaMock();
        mock.CreateTopic("clicks", 2);
        var servers = mock.BootstrapServers;
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        await engine.ExecuteAsync(Clicks(servers, ", 'scan.watermark.idle-timeout' = '1 s'"));
        var (_, windows) = await WindowsAsync(engine, 1);

        // Partition 1 never gets a message; after 1 s it is idle and partition 0 alone moves the watermark.
        await KafkaMockCluster.ProduceAsync(servers, "clicks", 0, At("10:00:10", 1, 2));
        await Task.Delay(1500);
        await KafkaMockCluster.ProduceAsync(servers, "clicks", 0, At("10:02:00", 3));
        Assert.Equal(["+I[2026-11-21 10:00:00.000, 2]"], await windows);
    }
}
