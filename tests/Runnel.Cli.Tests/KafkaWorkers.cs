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
    private readonly DateTimeOffset _start = DateTimeOffset.UtcNow;

    private KafkaWorkers(KafkaMockCluster cluster, FakeModelServer model, string directory, PostgresServer? postgres)
    {
        Cluster = cluster;
        Model = model;
        Directory = directory;
        _postgres = postgres;
    }

    private readonly PostgresServer? _postgres;
    // The secret key every worker shares when the catalog is in PostgreSQL (as on separate machines).
    private readonly string _secretKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public KafkaMockCluster Cluster { get; }
    public FakeModelServer Model { get; }
    public string Directory { get; }
    private string Catalog => _postgres?.Uri ?? Path.Combine(Directory, "catalog.db");

    /// <summary>Every output message in arrival order: (when it was produced, in seconds since the harness started — the
    /// message's CreateTime —, id, source partition, worker label).</summary>
    public ConcurrentQueue<(double At, int Id, int Partition, string Worker)> Output { get; } = new();

    /// <summary>Seconds since the harness started.</summary>
    public double Now => (DateTimeOffset.UtcNow - _start).TotalSeconds;

    /// <summary>Starts the cluster and model (answers after <paramref name="modelLatencyMs"/>), declares the tables and
    /// model, loads <paramref name="rows"/> keyed rows into <c>events</c>, and starts reading <c>enriched</c>.</summary>
    /// <remarks>The group's <paramref name="sessionTimeoutMs"/> sets how the mock paces rebalances: a killed worker
    /// drops out of the group after it, and after a member joins or leaves the mock waits session.timeout.ms - 1 s for
    /// the others to rejoin (a real broker waits for them, up to max.poll.interval.ms). Short sessions give fast
    /// restarts; a rebalance that revokes partitions needs the wait to be longer than the revoking worker's final
    /// checkpoint. Not below 3.5 s: the mock also expires members that wait for its first join (3 s,
    /// group.initial.rebalance.delay.ms).</remarks>
    /// <param name="postgres">When given, the catalog is shared in this PostgreSQL server and each worker runs in a
    /// directory of its own, as on separate machines; otherwise the workers share one SQLite catalog file.</param>
    public static async Task<KafkaWorkers> StartAsync(int rows, int modelLatencyMs, int sessionTimeoutMs, PostgresServer? postgres = null)
    {
        var cluster = await KafkaMockCluster.StartAsync();
        var model = await FakeModelServer.StartAsync();
        model.LatencyMs = modelLatencyMs;
        var workers = new KafkaWorkers(cluster, model, Paths.NewTempDirectory(), postgres);
        var servers = cluster.BootstrapServers;
        // RUNNEL_TEST_KAFKA_DEBUG=cgrp (librdkafka's debug contexts) puts the client's log in each worker's .err file.
        var debug = Environment.GetEnvironmentVariable("RUNNEL_TEST_KAFKA_DEBUG") is { Length: > 0 } d ? $" 'properties.debug' = '{d}'," : "";
        await File.WriteAllTextAsync(Path.Combine(workers.Directory, "setup.sql"), $"""
            CREATE CONNECTION fake WITH ('type' = 'openai', 'endpoint' = '{model.ChatUrl}', 'api-key' = 'k');
            CREATE MODEL m INPUT (text STRING) OUTPUT (answer STRING)
              WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'fake');
            CREATE TABLE src (id INT, text STRING, part INT METADATA FROM 'partition' VIRTUAL) WITH ('connector' = 'kafka',
              'topic' = 'events', 'properties.bootstrap.servers' = '{servers}', 'properties.group.id' = 'enrichers',
              'properties.session.timeout.ms' = '{sessionTimeoutMs}', 'properties.heartbeat.interval.ms' = '500',{debug}
              'key.format' = 'json', 'key.fields' = 'id', 'value.format' = 'json');
            CREATE TABLE dst (id INT, answer STRING, part INT, worker STRING) WITH ('connector' = 'kafka',
              'topic' = 'enriched', 'properties.bootstrap.servers' = '{servers}',
              'key.format' = 'json', 'key.fields' = 'id', 'value.format' = 'json');
            """);
        var (exit, _, err) = await workers.RunAsync(workers.Directory, "run", "setup.sql", "--catalog", workers.Catalog);
        Assert.True(exit == 0, err);

        // The rows, keyed by id, produced by kcat (a second, independent client).
        var lines = Path.Combine(workers.Directory, "events.txt");
        await File.WriteAllLinesAsync(lines, Enumerable.Range(1, rows).Select(i => $$"""{"id":{{i}}}|{"id":{{i}},"text":"t{{i}}"}"""));
        var produce = Process.Start(new ProcessStartInfo("kcat", ["-P", "-b", servers, "-t", "events", "-K", "|", "-l", lines]) { RedirectStandardError = true })!;
        await produce.WaitForExitAsync();
        Assert.True(produce.ExitCode == 0, await produce.StandardError.ReadToEndAsync());

        workers._reader = Process.Start(new ProcessStartInfo("kcat", ["-C", "-b", servers, "-t", "enriched", "-o", "beginning", "-u", "-q", "-f", "%T|%s\\n"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _ = Task.Run(async () =>
        {
            while (await workers._reader.StandardOutput.ReadLineAsync() is { } line)
            {
                var bar = line.IndexOf('|');
                var produced = (DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(line[..bar], System.Globalization.CultureInfo.InvariantCulture)) - workers._start).TotalSeconds;
                using var json = JsonDocument.Parse(line[(bar + 1)..]);
                var root = json.RootElement;
                workers.Output.Enqueue((produced, root.GetProperty("id").GetInt32(), root.GetProperty("part").GetInt32(), root.GetProperty("worker").GetString()!));
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
        var home = _postgres is null ? Directory : System.IO.Directory.CreateDirectory(Path.Combine(Directory, label)).FullName;
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = home, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["RUNNEL_SECRET_KEY"] = _secretKey;
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

    /// <summary>Stops a worker gracefully, as a service manager does (SIGTERM), and waits for it to exit.</summary>
    public static async Task StopAsync(Process worker)
    {
        using var kill = Process.Start("kill", ["-TERM", worker.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
        await worker.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
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

    private async Task<(int Exit, string Out, string Err)> RunAsync(string directory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["RUNNEL_SECRET_KEY"] = _secretKey;
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
