using Runnel.TestSupport;
using Xunit.Abstractions;

namespace Runnel.Cli.Tests;

/// <summary>
/// <c>runnel</c> worker processes running <c>kafka → ML_PREDICT → kafka</c> against librdkafka's mock cluster (hosted
/// by kcat) and a fake model on loopback: killed with SIGKILL over and over, and scaled out and in, with every row
/// delivered.
/// </summary>
[Collection("kafka workers")]
public sealed class KafkaWorkerTests(ITestOutputHelper log)
{
    /// <summary>Rows the source holds, keyed by id.</summary>
    private const int Rows = 100_000;

    [Fact]
    public async Task KilledTwentyTimes_EveryRowArrives_DuplicatesStayWithinTheInFlightWindow()
    {
        // Short sessions: a killed worker drops out of the group 3.5 s after its last heartbeat.
        await using var h = await KafkaWorkers.StartAsync(Rows, modelLatencyMs: 10, sessionTimeoutMs: 3500);
        var random = new Random(20261121);
        var firstOutput = new List<double>();
        var readAtKill = new List<int>();
        const int kills = 20;
        for (var run = 0; run < kills; run++)
        {
            var label = $"run{run}";
            var started = h.Now;
            var worker = h.StartWorker(label);
            var first = await h.FirstOutputAsync(label, started, TimeSpan.FromSeconds(30));
            Assert.True(first is not null, $"worker {label} wrote nothing in 30 s: {h.Printed(label)}");
            firstOutput.Add(first.Value);
            await Task.Delay(TimeSpan.FromSeconds(random.NextDouble() * 6));
            worker.Kill(entireProcessTree: true); // SIGKILL: no graceful stop, nothing flushed or committed
            await worker.WaitForExitAsync();
            readAtKill.Add(h.Output.Count);
        }
        // The last worker runs to the end, with a faster model so the rest does not take minutes.
        h.Model.LatencyMs = 1;
        var final = h.StartWorker("final");
        var complete = await h.AllArrivedAsync(Rows, TimeSpan.FromSeconds(240));
        final.Kill(entireProcessTree: true);

        var output = h.Output.ToList();
        var distinct = output.Select(o => o.Id).Distinct().Count();
        var duplicates = output.Count - distinct;
        var seconds = output.Count == 0 ? 0 : output[^1].At - output[0].At;
        log.WriteLine($"{output.Count} messages, {distinct} distinct ids, {duplicates} duplicates over {kills} kills ({duplicates / (double)kills:F0} per kill); " +
            $"restart to first output: median {firstOutput.Order().ElementAt(firstOutput.Count / 2):F1} s, max {firstOutput.Max():F1} s; {seconds:F0} s of output");
        Assert.True(complete, $"only {distinct} of {Rows} ids arrived");
        Assert.Equal(Enumerable.Range(1, Rows), output.Select(o => o.Id).Distinct().Order());
        Assert.All(firstOutput, s => Assert.True(s < 10, $"restart to first output took {s:F1} s"));
        // A kill can only repeat what was read after the last completed checkpoint: the rows of one checkpoint
        // interval (1 s) plus what the pipeline holds — the source's read-ahead (4,096 rows handed out and a batch
        // of 1,024 being filled), the scan's channel (8 batches) and the model stage's rows in flight (2,048). The
        // model answers ~1,000 rows/s here.
        const int window = 1_000 + 5 * 1024 + 8 * 1024 + 2048;
        Assert.True(duplicates <= kills * window, $"{duplicates} duplicates exceed {kills} × {window}");
    }

    [Fact]
    public async Task ThreeWorkersOnASharedCatalog_AFourthJoins_OneStops_NoRowIsLost_AndNoPartitionHasTwoOwners()
    {
        // Rebalances that revoke partitions: the mock must wait (9 s) for the revoking worker's checkpoint. The workers
        // share a catalog in PostgreSQL and each runs in a directory of its own, as on separate machines.
        await using var pg = await PostgresServer.StartAsync();
        await using var h = await KafkaWorkers.StartAsync(Rows, modelLatencyMs: 10, sessionTimeoutMs: 10_000, pg);
        var first = new[] { "w1", "w2", "w3" }.Select(label => (Label: label, Process: h.StartWorker(label))).ToList();
        foreach (var (label, _) in first)
            Assert.True(await h.FirstOutputAsync(label, h.Now, TimeSpan.FromSeconds(60)) is not null, $"{label} wrote nothing: {h.Printed(label)}");
        await Task.Delay(2000);

        var joined = h.Now;
        h.StartWorker("w4");
        Assert.True(await h.FirstOutputAsync("w4", joined, TimeSpan.FromSeconds(60)) is not null, $"w4 wrote nothing: {h.Printed("w4")}");
        await Task.Delay(2000);

        var stopped = h.Now;
        await KafkaWorkers.StopAsync(first[0].Process);
        h.Model.LatencyMs = 1;
        var complete = await h.AllArrivedAsync(Rows, TimeSpan.FromSeconds(240));

        var output = h.Output.ToList();
        var distinct = output.Select(o => o.Id).Distinct().Count();
        log.WriteLine($"{output.Count} messages, {distinct} distinct ids, {output.Count - distinct} duplicates; w4 joined at {joined:F1} s, w1 stopped at {stopped:F1} s");
        Assert.True(complete, $"only {distinct} of {Rows} ids arrived");

        // Who wrote each source partition, in the order the messages were produced: owners take turns (a handful of
        // runs: one per move), never write it at the same time (their messages would interleave, run after run).
        foreach (var p in output.GroupBy(o => o.Partition))
        {
            var ordered = p.OrderBy(o => o.At).ToList();
            var runs = new List<(string Worker, double From, double To, int Count)>();
            foreach (var o in ordered)
            {
                if (runs.Count > 0 && runs[^1].Worker == o.Worker) runs[^1] = runs[^1] with { To = o.At, Count = runs[^1].Count + 1 };
                else runs.Add((o.Worker, o.At, o.At, 1));
            }
            log.WriteLine($"partition {p.Key}: " + string.Join(", ", runs.Select(r => $"{r.Worker} {r.From:F1}-{r.To:F1} s ({r.Count})")));
            Assert.True(runs.Count <= 6, $"partition {p.Key} changed writers {runs.Count - 1} times: two workers read it at once");
        }

        // Partitions that kept their owner through a rebalance kept flowing during it (cooperative rebalancing): each
        // wrote rows while the group rebalanced — the mock holds the group for 9 s after a member joins or leaves —
        // where an eager rebalance would have stopped every partition for all of that time.
        foreach (var moment in new[] { joined, stopped })
        {
            foreach (var p in output.GroupBy(o => o.Partition))
            {
                var around = p.Where(o => o.At >= moment - 1 && o.At <= moment + 12).OrderBy(o => o.At).ToList();
                if (around.Count == 0 || around.Select(o => o.Worker).Distinct().Count() > 1) continue; // moved, or done
                var during = around.Count(o => o.At >= moment && o.At <= moment + 9);
                var gap = around.Zip(around.Skip(1), (x, y) => y.At - x.At).DefaultIfEmpty(0).Max();
                log.WriteLine($"partition {p.Key} around {moment:F1} s: one owner ({around[0].Worker}), {during} rows in the 9 s after, largest gap {gap:F2} s");
                if (p.Max(o => o.At) < moment + 9) continue; // it ran out of rows
                Assert.True(during > 0, $"partition {p.Key} wrote nothing for 9 s after {moment:F1} s although it kept its owner");
            }
        }
    }
}
