using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Runnel.TestSupport;

/// <summary>
/// librdkafka's mock Kafka cluster (<c>test.mock.num.brokers</c>), hosted by Debian's kcat so that any client can
/// reach it: <c>kcat -C -b dummy -X test.mock.num.brokers=3 -t hold -o end -q</c> logs "Mock cluster enabled: ...
/// replaced with 127.0.0.1:PORT,..." on standard error; <see cref="BootstrapServers"/> is that list. The mock keeps at
/// most 5 MiB per partition and creates a topic on its first produce. Stopped with the kcat process.
/// </summary>
public sealed partial class KafkaMockCluster : IAsyncDisposable
{
    private readonly Process _process;

    private KafkaMockCluster(Process process, string bootstrap)
    {
        _process = process;
        BootstrapServers = bootstrap;
    }

    /// <summary>The mock brokers, <c>127.0.0.1:PORT,...</c>.</summary>
    public string BootstrapServers { get; }

    [GeneratedRegex(@"replaced with (?<servers>[0-9.:,]+)")]
    private static partial Regex Replaced();

    /// <summary>Starts a cluster of <paramref name="brokers"/> brokers; fails with kcat's output when it does not come up in 20 s.</summary>
    public static async Task<KafkaMockCluster> StartAsync(int brokers = 3)
    {
        var info = new ProcessStartInfo("kcat", ["-C", "-b", "dummy", "-X", $"test.mock.num.brokers={brokers}", "-t", "hold", "-o", "end", "-q"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        var process = Process.Start(info) ?? throw new InvalidOperationException("kcat did not start (apt-get install -y kcat)");
        var seen = new System.Text.StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!timeout.IsCancellationRequested)
        {
            var line = await process.StandardError.ReadLineAsync(timeout.Token).ConfigureAwait(false);
            if (line is null) break;
            seen.AppendLine(line);
            var match = Replaced().Match(line);
            if (match.Success)
            {
                // Keep draining stderr so kcat never blocks on a full pipe.
                _ = Task.Run(async () => { while (await process.StandardError.ReadLineAsync().ConfigureAwait(false) is not null) { } });
                return new KafkaMockCluster(process, match.Groups["servers"].Value);
            }
        }
        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException("kcat's mock cluster did not come up: " + seen);
    }

    /// <summary>Every message of <paramref name="topic"/> from the beginning, one line each in kcat's
    /// <paramref name="format"/> (<c>%k</c> key, <c>%s</c> value, <c>%S</c> value length, -1 for a tombstone), read by
    /// kcat as a second, independent client.</summary>
    public static async Task<string[]> ConsumeAsync(string servers, string topic, string format = "%s\\n")
    {
        using var kcat = Process.Start(new ProcessStartInfo("kcat", ["-C", "-b", servers, "-t", topic, "-o", "beginning", "-e", "-q", "-f", format])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("kcat did not start (apt-get install -y kcat)");
        var lines = (await kcat.StandardOutput.ReadToEndAsync().ConfigureAwait(false)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        await kcat.WaitForExitAsync().ConfigureAwait(false);
        return lines;
    }

    /// <summary>Produces <paramref name="values"/> to partition <paramref name="partition"/> of <paramref name="topic"/>
    /// with kcat, one message each, and waits until they are acknowledged.</summary>
    public static async Task ProduceAsync(string servers, string topic, int partition, IEnumerable<string> values)
    {
        using var kcat = Process.Start(new ProcessStartInfo("kcat", ["-P", "-b", servers, "-t", topic, "-p", partition.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("kcat did not start (apt-get install -y kcat)");
        foreach (var value in values) await kcat.StandardInput.WriteLineAsync(value).ConfigureAwait(false);
        kcat.StandardInput.Close();
        var error = await kcat.StandardError.ReadToEndAsync().ConfigureAwait(false);
        await kcat.WaitForExitAsync().ConfigureAwait(false);
        if (kcat.ExitCode != 0) throw new InvalidOperationException($"kcat could not produce to {topic}[{partition}]: {error}");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().ConfigureAwait(false);
        _process.Dispose();
    }
}
