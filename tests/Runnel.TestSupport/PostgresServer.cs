using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Runnel.TestSupport;

/// <summary>
/// A private PostgreSQL server from Debian's packages (<c>apt-get install -y postgresql</c>; the binaries in
/// <c>/usr/lib/postgresql/*/bin</c>): <c>initdb</c> into a temporary directory with trust authentication, then
/// <c>pg_ctl start</c> on a free loopback port. PostgreSQL refuses to run as root, so under root the cluster belongs to
/// the <c>postgres</c> user and its commands run through <c>runuser</c>. Stopped (immediately) and deleted on dispose.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _data;
    private readonly bool _asPostgres;

    private PostgresServer(string bin, string data, bool asPostgres, int port)
    {
        _bin = bin;
        _data = data;
        _asPostgres = asPostgres;
        Port = port;
    }

    /// <summary>The server's TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>A <c>postgresql://</c> URI of database <c>postgres</c> as user <c>postgres</c> (no password: trust).</summary>
    public string Uri => $"postgresql://postgres@127.0.0.1:{Port}/postgres";

    /// <summary>Creates and starts the server; fails with the tools' output when they are missing or it does not start.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        if (bin is null) throw new InvalidOperationException("PostgreSQL is not installed: apt-get install -y postgresql");
        var asPostgres = Environment.UserName == "root";
        var data = Path.Combine(Path.GetTempPath(), "runnel-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(data);
        if (asPostgres) await RunAsync("chown", "postgres:postgres", data).ConfigureAwait(false);
        var port = FreePort();
        var server = new PostgresServer(bin, data, asPostgres, port);
        await server.PgAsync("initdb", "-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8").ConfigureAwait(false);
        await server.PgAsync("pg_ctl", "-D", data, "-w", "-t", "60", "-l", Path.Combine(data, "server.log"),
            "-o", $"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off", "start").ConfigureAwait(false);
        return server;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Task PgAsync(string tool, params string[] args) =>
        _asPostgres ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. args]) : RunAsync(Path.Combine(_bin, tool), args);

    private static async Task RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().ConfigureAwait(false);
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {await output.ConfigureAwait(false)}{await error.ConfigureAwait(false)}");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try { await PgAsync("pg_ctl", "-D", _data, "-m", "immediate", "stop").ConfigureAwait(false); }
        catch (InvalidOperationException) { /* already stopped */ }
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
