using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Runnel.TestSupport;

namespace Runnel.Cli.Tests;

/// <summary>
/// What the Kafka worker tests share: a mock cluster, a fake model server, a catalog that declares
/// <c>src</c> (topic <c>events</c>, read by consumer group <c>enrichers</c>), <c>dst</c> (topic <c>enriched</c>) and
/// model <c>m</c>, <c>runnel</c> worker processes that run <c>INSERT INTO dst SELECT .. ML_PREDICT ..</c> with a
/// label of their own, and a kcat consumer that records every output message as it arrives.
/// </summary>
internal sealed class KafkaWorkers : IAsyncDisposable
{
    private readonly List<Process> _workers = [];
    private Process? _reader;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private KafkaWorkers(KafkaMockCluster cluster, FakeModelServer model, string directory)
    {
        Cluster = cluster;
        Model = model;
        Directory = directory;
    }

    public KafkaMockCluster Cluster { get; }
    public FakeModelServer Model { get; }
    public string Directory { get; }
    private string Catalog => Path.Combine(Directory, "catalog.db");

    /// <summary>Every output message in arrival order: (seconds since start, id, source partition, worker label).</summary>
    public ConcurrentQueue<(double At, int Id, int Partition, string Worker)> Output { get; } = new();

    /// <summary>Seconds since the harness started.</summary>
    public double Now => _clock.Elapsed.TotalSeconds;

    /// <summary>Starts the cluster and model (answers after <paramref name="modelLatencyMs"/>), declares the tables and
    /// model, loads <paramref name="rows"/> keyed rows into <c>events</c>, and starts reading <c>enriched</c>.</summary>
    public static async Task<KafkaWorkers> StartAsync(int rows, int modelLatencyMs)
    {
        var cluster = await KafkaMockCluster.StartAsync();
        var model = await FakeModelServer.StartAsync();
        model.LatencyMs = modelLatencyMs;
        var workers = new KafkaWorkers(cluster, model, Paths.NewTempDirectory());
        var servers = cluster.BootstrapServers;
        // Short sessions: a killed worker drops out of the group after 3.5 s, and the mock waits session.timeout.ms - 1 s
        // before it rebalances a group whose member left. (Not below 3.5 s: the mock also expires members that wait
        // for its first join, which takes 3 s, group.initial.rebalance.delay.ms.)
        await File.WriteAllTextAsync(Path.Combine(workers.Directory, "setup.sql"), $"""
            CREATE CONNECTION fake WITH ('type' = 'openai', 'endpoint' = '{model.ChatUrl}', 'api-key' = 'k');
            CREATE MODEL m INPUT (text STRING) OUTPUT (answer STRING)
              WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'fake');
            CREATE TABLE src (id INT, text STRING, part INT METADATA FROM 'partition' VIRTUAL) WITH ('connector' = 'kafka',
              'topic' = 'events', 'properties.bootstrap.servers' = '{servers}', 'properties.group.id' = 'enrichers',
              'properties.session.timeout.ms' = '3500', 'properties.heartbeat.interval.ms' = '500',
              'key.format' = 'json', 'key.fields' = 'id', 'value.format' = 'json');
            CREATE TABLE dst (id INT, answer STRING, part INT, worker STRING) WITH ('connector' = 'kafka',
              'topic' = 'enriched', 'properties.bootstrap.servers' = '{servers}',
              'key.format' = 'json', 'key.fields' = 'id', 'value.format' = 'json');
            """);
        var (exit, _, err) = await RunAsync(workers.Directory, "run", "setup.sql", "--catalog", workers.Catalog);
        Assert.True(exit == 0, err);

        // The rows, keyed by id, produced by kcat (a second, independent client).
        var lines = Path.Combine(workers.Directory, "events.txt");
        await File.WriteAllLinesAsync(lines, Enumerable.Range(1, rows).Select(i => $$"""{"id":{{i}}}|{"id":{{i}},"text":"t{{i}}"}"""));
        var produce = Process.Start(new ProcessStartInfo("kcat", ["-P", "-b", servers, "-t", "events", "-K", "|", "-l", lines]) { RedirectStandardError = true })!;
        await produce.WaitForExitAsync();
        Assert.True(produce.ExitCode == 0, await produce.StandardError.ReadToEndAsync());

        workers._reader = Process.Start(new ProcessStartInfo("kcat", ["-C", "-b", servers, "-t", "enriched", "-o", "beginning", "-u", "-q", "-f", "%s\\n"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _ = Task.Run(async () =>
        {
            while (await workers._reader.StandardOutput.ReadLineAsync() is { } line)
            {
                using var json = JsonDocument.Parse(line);
                var root = json.RootElement;
                workers.Output.Enqueue((workers.Now, root.GetProperty("id").GetInt32(), root.GetProperty("part").GetInt32(), root.GetProperty("worker").GetString()!));
            }
        });
        _ = Task.Run(async () => await workers._reader.StandardError.ReadToEndAsync());
        return workers;
    }

    /// <summary>Starts a worker whose output rows carry <paramref name="label"/>.</summary>
    public Process StartWorker(string label)
    {
        var script = Path.Combine(Directory, $"{label}.sql");
        File.WriteAllText(script, $"""
            SET 'execution.checkpointing.interval' = '1s';
            INSERT INTO dst SELECT id, answer, part, '{label}' FROM src, LATERAL TABLE(ML_PREDICT('m', text));
            """);
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = Directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Paths.RunnelDll, "run", script, "--catalog", Catalog }) psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        // Keep its output in files (for failures), so it never blocks on a full pipe either.
        _ = process.StandardOutput.BaseStream.CopyToAsync(new FileStream(Path.Combine(Directory, $"{label}.out"), FileMode.Create, FileAccess.Write, FileShare.ReadWrite));
        _ = process.StandardError.BaseStream.CopyToAsync(new FileStream(Path.Combine(Directory, $"{label}.err"), FileMode.Create, FileAccess.Write, FileShare.ReadWrite));
        lock (_workers) _workers.Add(process);
        return process;
    }

    /// <summary>Seconds until the first output row labelled <paramref name="label"/> arrives (at most
    /// <paramref name="timeout"/>); null when none does.</summary>
    public async Task<double?> FirstOutputAsync(string label, double since, TimeSpan timeout)
    {
        var deadline = Now + timeout.TotalSeconds;
        while (Now < deadline)
        {
            foreach (var o in Output)
                if (o.Worker == label) return o.At - since;
            await Task.Delay(20);
        }
        return null;
    }

    /// <summary>What worker <paramref name="label"/> printed so far (standard error, then the end of standard output).</summary>
    public string Printed(string label)
    {
        string Read(string ext)
        {
            using var stream = new FileStream(Path.Combine(Directory, $"{label}.{ext}"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var text = new StreamReader(stream).ReadToEnd();
            return text.Length > 3000 ? text[^3000..] : text;
        }
        return Read("err") + "\n" + Read("out");
    }

    /// <summary>Waits until every id 1..<paramref name="rows"/> has arrived at least once, or the timeout passes.</summary>
    public async Task<bool> AllArrivedAsync(int rows, TimeSpan timeout)
    {
        var deadline = Now + timeout.TotalSeconds;
        while (Now < deadline)
        {
            if (Output.Select(o => o.Id).Distinct().Count() >= rows) return true;
            await Task.Delay(200);
        }
        return false;
    }

    private static async Task<(int Exit, string Out, string Err)> RunAsync(string directory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Paths.RunnelDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        return (p.ExitCode, await stdout, await stderr);
    }

    public async ValueTask DisposeAsync()
    {
        lock (_workers)
            foreach (var w in _workers)
                if (!w.HasExited) w.Kill(entireProcessTree: true);
        if (_reader is { HasExited: false }) _reader.Kill();
        await Model.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
