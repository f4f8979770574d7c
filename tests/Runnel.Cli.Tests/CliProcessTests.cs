using System.Diagnostics;

namespace Runnel.Cli.Tests;

/// <summary>Runs the built <c>runnel</c> executable as a user would, as separate processes.</summary>
public class CliProcessTests
{
    private static readonly string RunnelDll = Paths.RunnelDll;

    private static async Task<(int Exit, string Out, string Err)> RunAsync(string workingDirectory, string? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        psi.ArgumentList.Add(RunnelDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null) await p.StandardInput.WriteAsync(stdin);
        p.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Version_PrintsTheVersion()
    {
        var (exit, output, _) = await RunAsync(Paths.RepoRoot, null, "--version");
        Assert.Equal(0, exit);
        Assert.Matches(@"^\d+\.\d+\.\d+", output.Trim());
    }

    [Fact]
    public async Task Help_ListsTheCommands()
    {
        var (exit, output, _) = await RunAsync(Paths.RepoRoot, null, "--help");
        Assert.Equal(0, exit);
        Assert.Contains("run", output, StringComparison.Ordinal);
        Assert.Contains("sql", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ReviewsExample_PrintsTheWorstProducts()
    {
        var catalog = Path.Combine(Paths.NewTempDirectory(), "catalog.db");
        var (exit, output, error) = await RunAsync(Paths.RepoRoot, null, "run", "examples/reviews/top_products.sql", "--catalog", catalog);
        Assert.True(exit == 0, error);
        Assert.Contains("|    4999 |      731 |", output, StringComparison.Ordinal);
        Assert.Contains("| B001HTKZ5S |       7 |      1.14 |        100.0 |", output, StringComparison.Ordinal);
        Assert.Contains("10 rows in set", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FailingStatement_ExitsNonZeroAndStops()
    {
        var dir = Paths.NewTempDirectory();
        var script = Path.Combine(dir, "bad.sql");
        await File.WriteAllTextAsync(script, "SELECT 1;\nSELECT nope FROM missing_table;\nSELECT 2;\n");
        var (exit, output, error) = await RunAsync(dir, null, "run", script, "--catalog", Path.Combine(dir, "c.db"), "--batch");
        Assert.Equal(1, exit);
        Assert.Contains("Object 'missing_table' not found", error, StringComparison.Ordinal);
        Assert.Contains("line 2, column 18", error, StringComparison.Ordinal);
        Assert.DoesNotContain("EXPR$0", output.Split("1 row in set")[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connection_Commands_CreateListDescribeDelete_WithTheKeyFromStandardInput()
    {
        var dir = Paths.NewTempDirectory();
        var catalog = Path.Combine(dir, "c.db");
        var secret = "sk-stdin-" + Guid.NewGuid().ToString("N");
        var (exit, _, error) = await RunAsync(dir, secret + "\n", "connection", "create", "my-conn", "--type", "openai",
            "--endpoint", "https://api.openai.com/v1/chat/completions", "--api-key", "-", "--environment", "env-123", "--catalog", catalog);
        Assert.Equal(0, exit);
        Assert.Contains("--environment is not applicable", error, StringComparison.Ordinal);
        var list = await RunAsync(dir, null, "connection", "list", "--catalog", catalog);
        Assert.Contains("my-conn", list.Out, StringComparison.Ordinal);
        var describe = await RunAsync(dir, null, "connection", "describe", "my-conn", "--catalog", catalog);
        Assert.Contains("| my-conn | OPENAI |", describe.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, describe.Out, StringComparison.Ordinal);
        foreach (var f in Directory.GetFiles(dir)) Assert.DoesNotContain(secret, await File.ReadAllTextAsync(f), StringComparison.Ordinal);
        Assert.Equal(0, (await RunAsync(dir, null, "connection", "delete", "my-conn", "--catalog", catalog)).Exit);
        var missing = await RunAsync(dir, null, "connection", "create", "x", "--type", "bedrock", "--endpoint", "http://e", "--catalog", catalog);
        Assert.Equal(1, missing.Exit);
        Assert.Contains("Missing required secret 'aws-access-key'", missing.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_MissingFile_ExitsWithAnError()
    {
        var (exit, _, error) = await RunAsync(Paths.NewTempDirectory(), null, "run", "nope.sql");
        Assert.NotEqual(0, exit);
        Assert.Contains("nope.sql", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sql_Shell_RunsMultiLineStatementsFromStandardInput()
    {
        var dir = Paths.NewTempDirectory();
        var input = "SET 'execution.runtime-mode' = 'batch';\nSELECT 1 + 1\n  AS two;\nSELECT bad syntax here;\nQUIT;\n";
        var (exit, output, error) = await RunAsync(dir, input, "sql", "--catalog", Path.Combine(dir, "c.db"));
        Assert.Equal(0, exit);
        Assert.Contains("| two |", output, StringComparison.Ordinal);
        Assert.Contains("[ERROR]", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManagedTable_RowsInsertedByOneProcess_ReachAStreamingReaderInAnother()
    {
        var dir = Paths.NewTempDirectory();
        var catalog = Path.Combine(dir, "c.db");
        await File.WriteAllTextAsync(Path.Combine(dir, "create.sql"), "CREATE TABLE events (id INT, body STRING);");
        Assert.Equal(0, (await RunAsync(dir, null, "run", "create.sql", "--catalog", catalog)).Exit);
        // The reader copies every row it sees into a file sink; it runs until stopped.
        await File.WriteAllTextAsync(Path.Combine(dir, "follow.sql"), $"""
            CREATE TABLE copied (id INT, body STRING) WITH ('connector' = 'filesystem', 'path' = '{dir}/copied', 'format' = 'json');
            SET 'execution.checkpointing.interval' = '100 ms';
            INSERT INTO copied SELECT id, body FROM events;
            """);
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(RunnelDll);
        foreach (var a in new[] { "run", "follow.sql", "--catalog", catalog }) psi.ArgumentList.Add(a);
        using var follower = Process.Start(psi)!;
        try
        {
            var writers = Enumerable.Range(0, 2).Select(async w =>
            {
                var script = Path.Combine(dir, $"insert{w}.sql");
                await File.WriteAllTextAsync(script, string.Join("\n", Enumerable.Range(0, 5).Select(i => $"INSERT INTO events VALUES ({w * 10 + i}, 'from process {w}');")));
                return await RunAsync(dir, null, "run", script, "--catalog", catalog);
            }).ToList();
            foreach (var w in writers) Assert.Equal(0, (await w).Exit);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            var lines = 0;
            while (DateTime.UtcNow < deadline)
            {
                lines = Directory.Exists(Path.Combine(dir, "copied"))
                    ? Directory.GetFiles(Path.Combine(dir, "copied")).Where(f => !Path.GetFileName(f).StartsWith('.')).Sum(f => File.ReadAllLines(f).Length)
                    : 0;
                if (lines >= 10) break;
                await Task.Delay(100);
            }
            Assert.Equal(10, lines);
        }
        finally
        {
            follower.Kill(entireProcessTree: true);
        }
    }
}
