using Runnel.TestSupport;

namespace Runnel.Engine.Tests;

/// <summary>Broker faults injected through librdkafka's mock cluster in this process: produce errors, offset-commit
/// errors and a broker down for 10 s while a statement copies a topic that keeps growing. Every row arrives, and — the
/// producer being idempotent and no worker restarting — exactly once.</summary>
public sealed class KafkaFaultTests
{
    [Fact]
    public async Task ProduceErrors_CommitErrors_AndABrokerDownFor10s_LoseNothing_AndDuplicateNothing()
    {
        using var mock = new InProcessKafkaMock(brokers: 3);
        mock.CreateTopic("in", 4);
        mock.CreateTopic("out", 4);
        await using var engine = ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-kafka-").FullName);
        var servers = mock.BootstrapServers;
        await engine.ExecuteAsync($"CREATE TABLE src (id INT) WITH ('connector' = 'kafka', 'topic' = 'in', 'properties.bootstrap.servers' = '{servers}', 'properties.group.id' = 'copier', 'format' = 'json')");
        await engine.ExecuteAsync($"CREATE TABLE dst (id INT) WITH ('connector' = 'kafka', 'topic' = 'out', 'properties.bootstrap.servers' = '{servers}', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset')");
        const int batches = 30, perBatch = 500, total = batches * perBatch;
        async Task Produce(int batch) => await ((JobResult)await engine.ExecuteAsync(
            "INSERT INTO src VALUES " + string.Join(", ", Enumerable.Range(batch * perBatch + 1, perBatch).Select(i => $"({i})")))).Job.Completion.WaitAsync(TimeSpan.FromSeconds(120));

        await engine.ExecuteAsync("SET 'execution.runtime-mode' = 'streaming'");
        await engine.ExecuteAsync("SET 'execution.checkpointing.interval' = '500ms'");
        var job = ((JobResult)await engine.ExecuteAsync("INSERT INTO dst SELECT id FROM src")).Job;
        await engine.ExecuteAsync("SET 'execution.runtime-mode' = 'batch'");

        var started = DateTime.UtcNow;
        var brokerDown = false;
        for (var b = 0; b < batches; b++)
        {
            var at = DateTime.UtcNow - started;
            if (b == 3)
            {
                // Retriable produce errors (the idempotent producer retries without duplicating) and failed commits.
                mock.PushRequestErrors(InProcessKafkaMock.ApiKey.Produce, InProcessKafkaMock.Errors.NotLeaderForPartition,
                    InProcessKafkaMock.Errors.RequestTimedOut, InProcessKafkaMock.Errors.NotEnoughReplicas, InProcessKafkaMock.Errors.RequestTimedOut);
                mock.PushRequestErrors(InProcessKafkaMock.ApiKey.OffsetCommit, InProcessKafkaMock.Errors.CoordinatorNotAvailable,
                    InProcessKafkaMock.Errors.CoordinatorNotAvailable, InProcessKafkaMock.Errors.RequestTimedOut);
            }
            if (b == 8)
            {
                mock.SetBrokerDown(2, down: true);
                brokerDown = true;
                _ = Task.Delay(TimeSpan.FromSeconds(10)).ContinueWith(_ => mock.SetBrokerDown(2, down: false), TaskScheduler.Default);
            }
            await Produce(b);
            await Task.Delay(200);
        }
        Assert.True(brokerDown);

        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (job.Counters.RowsWritten < total && DateTime.UtcNow < deadline)
        {
            if (job.Completion.IsCompleted) await job.Completion;
            await Task.Delay(100);
        }
        await Task.Delay(1000); // anything more (a duplicate) would arrive now
        await job.StopAsync();
        Assert.Equal(total, job.Counters.RowsWritten);

        var ids = (await ModelTestEngine.RowsAsync(engine, "SELECT id FROM dst").WaitAsync(TimeSpan.FromSeconds(60))).ToList();
        Assert.Equal(total, ids.Count);
        Assert.Equal(total, ids.Distinct().Count());
    }
}
