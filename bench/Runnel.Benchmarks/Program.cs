using BenchmarkDotNet.Running;
using Runnel.Benchmarks;

// `throughput [rows] [runs]`: the end-to-end harness; anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "throughput")
{
    var rows = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
    var runs = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5;
    return await ThroughputHarness.RunAsync(rows, runs);
}
// `inference [latency-ms] [seconds]`: ML_PREDICT throughput against a loopback model of fixed latency (issue 4).
if (args.Length > 0 && args[0] == "inference")
{
    var latency = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200;
    var seconds = args.Length > 2 ? double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 10;
    return await InferenceHarness.RunAsync(latency, seconds);
}
// `outage [latency-ms] [outage-seconds]`: a provider outage in the middle of an ML_PREDICT job (issue 4, benchmark 6).
if (args.Length > 0 && args[0] == "outage")
{
    var latency = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200;
    var outage = args.Length > 2 ? double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 20;
    return await InferenceHarness.RunAsync(latency, outage, outageOnly: true);
}
// `instant-model [rows] [runs]`: the engine's own CPU cost per predicted row (issue 4, benchmark 10).
if (args.Length > 0 && args[0] == "instant-model")
{
    var rows = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
    var runs = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5;
    return await InstantModelHarness.RunAsync(rows, runs);
}
// Issue 4, benchmarks 3, 4, 5, 7 and 9 (ModelBenchmarks).
static int Arg(string[] a, int i, int fallback) => a.Length > i ? int.Parse(a[i], System.Globalization.CultureInfo.InvariantCulture) : fallback;
switch (args.Length > 0 ? args[0] : "")
{
    case "embeddings": return await ModelBenchmarks.EmbeddingsAsync(Arg(args, 1, 200), Arg(args, 2, 5));
    case "storm": return await ModelBenchmarks.StormAsync(Arg(args, 1, 200), Arg(args, 2, 60));
    case "errors": return await ModelBenchmarks.NonRetryableAsync();
    case "race": return await ModelBenchmarks.RaceAsync(Arg(args, 1, 10_000), Arg(args, 2, 200));
    case "memory": return await ModelBenchmarks.MemoryAsync(Arg(args, 1, 1_000_000));
    // Issue 6: kafka → ML_PREDICT(local model) → kafka on the mock cluster.
    case "kafka": return await KafkaHarness.RunAsync(Arg(args, 1, 100_000), Arg(args, 2, 3));
}
BenchmarkSwitcher.FromAssembly(typeof(ThroughputHarness).Assembly).Run(args);
return 0;
