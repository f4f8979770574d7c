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
        await using var h = await KafkaWorkers.StartAsync(Rows, modelLatencyMs: 10);
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
        // interval (1 s) plus what the pipeline holds — the source's read-ahead (5 batches of 1,024), the scan's
        // channel (8 batches) and the model stage's rows in flight (8,192). The model answers ~1,000 rows/s here.
        const int window = 1_000 + 5 * 1024 + 8 * 1024 + 8192;
        Assert.True(duplicates <= kills * window, $"{duplicates} duplicates exceed {kills} × {window}");
    }
}
