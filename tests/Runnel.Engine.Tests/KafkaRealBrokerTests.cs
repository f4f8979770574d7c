using Runnel.TestSupport;

namespace Runnel.Engine.Tests;

/// <summary>
/// The kafka connector against a real broker, when RUNNEL_KAFKA_BOOTSTRAP names one (host:port; the broker must
/// create topics on first use, <c>auto.create.topics.enable</c>, Kafka's default). Each run uses topics and groups of
/// its own. Covers what librdkafka's mock cannot (time lookups for timestamp startup and bounds) and repeats the offset-commit
/// scenario on a real group coordinator.
/// </summary>
public sealed class KafkaRealBrokerTests
{
    private static string Servers => Environment.GetEnvironmentVariable("RUNNEL_KAFKA_BOOTSTRAP")!;
    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}";

    /// <summary>A new topic holding ids 1-4 with message timestamps 1, 2, 3 and 4 s after the epoch.</summary>
    private static async Task<string> TimedTopicAsync(RunnelEngine engine)
    {
        var topic = Unique("timed");
        await engine.ExecuteAsync(KafkaTables.Timed("all_timed", Servers, topic, "'scan.startup.mode' = 'earliest-offset'"));
        await KafkaTables.InsertTimedAsync(engine, "all_timed");
        return topic;
    }

    [LiveFact("RUNNEL_KAFKA_BOOTSTRAP")]
    public async Task StartupFromATimestamp_ReadsTheMessagesAtOrAfterIt()
    {
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        var topic = await TimedTopicAsync(engine);
        await engine.ExecuteAsync(KafkaTables.Timed("from_2500", Servers, topic, "'scan.startup.mode' = 'timestamp', 'scan.startup.timestamp-millis' = '2500'"));
        Assert.Equal(["+I[3]", "+I[4]"], (await ModelTestEngine.RowsAsync(engine, "SELECT id FROM from_2500").WaitAsync(TimeSpan.FromSeconds(60))).Order(StringComparer.Ordinal));
        await engine.ExecuteAsync(KafkaTables.Timed("from_later", Servers, topic, "'scan.startup.mode' = 'timestamp', 'scan.startup.timestamp-millis' = '9000'"));
        Assert.Empty(await ModelTestEngine.RowsAsync(engine, "SELECT id FROM from_later").WaitAsync(TimeSpan.FromSeconds(60)));
    }

    [LiveFact("RUNNEL_KAFKA_BOOTSTRAP")]
    public async Task ABoundAtATimestamp_StopsBeforeTheFirstMessageAtOrAfterIt()
    {
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        var topic = await TimedTopicAsync(engine);
        await engine.ExecuteAsync($"""
            CREATE TABLE until_2500 (id INT) WITH ('connector' = 'kafka', 'topic' = '{topic}', 'properties.bootstrap.servers' = '{Servers}',
              'format' = 'json', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'timestamp', 'scan.bounded.timestamp-millis' = '2500')
            """);
        Assert.Equal(["+I[1]", "+I[2]"], (await ModelTestEngine.RowsAsync(engine, "SELECT id FROM until_2500").WaitAsync(TimeSpan.FromSeconds(60))).Order(StringComparer.Ordinal));
    }

    [LiveFact("RUNNEL_KAFKA_BOOTSTRAP")]
    public async Task InsertedRows_AreReadBack()
    {
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        await engine.ExecuteAsync($"""
            CREATE TABLE t (id INT, text STRING) WITH ('connector' = 'kafka', 'topic' = '{Unique("rows")}',
              'properties.bootstrap.servers' = '{Servers}', 'format' = 'json', 'key.format' = 'json', 'key.fields' = 'id',
              'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset')
            """);
        await ((JobResult)await engine.ExecuteAsync("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')")).Job.Completion.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(["+I[1, a]", "+I[2, b]", "+I[3, c]"], (await ModelTestEngine.RowsAsync(engine, "SELECT id, text FROM t")).Order(StringComparer.Ordinal));
    }

    [LiveFact("RUNNEL_KAFKA_BOOTSTRAP")]
    public Task ARestartedStatement_ContinuesAfterTheOffsetsItsSinkAcknowledged() =>
        KafkaCommitTests.RestartScenarioAsync(Servers, Unique("src"), Unique("dst"), Unique("copier"), "'properties.session.timeout.ms' = '10000'");
}
