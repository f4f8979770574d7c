using System.CommandLine;
using System.Reflection;
using Runnel.Core.Errors;
using Runnel.Engine;
using Runnel.Sql.Ast;

namespace Runnel.Cli;

/// <summary>The <c>runnel</c> command: <c>run FILE.sql</c> runs a script, <c>sql</c> opens the interactive shell.
/// Thin by design: everything else is <see cref="RunnelEngine"/>.</summary>
public static class CliApp
{
    /// <summary>Parses the command line and runs the command; returns the process exit code (0 success, 1 a failed statement, 2 bad usage).</summary>
    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        var catalog = new Option<string>("--catalog") { Description = "Catalog: a SQLite file, or postgresql://user:password@host:port/database for a catalog shared by workers. Default: ./.runnel/catalog.db", DefaultValueFactory = _ => Path.Combine(".runnel", "catalog.db") };
        var batch = new Option<bool>("--batch") { Description = "Run in batch mode: read every source as bounded (SET 'execution.runtime-mode' = 'batch')." };
        var set = new Option<string[]>("--set", "-D") { Description = "Session configuration key=value, as SET 'key' = 'value'.", AllowMultipleArgumentsPerToken = false };

        var file = new Argument<FileInfo>("file") { Description = "The SQL script to run." };
        var stats = new Option<bool>("--stats") { Description = "After each job or query, print what each model stage did: rows, requests, retries, errors, 429s, cache hits, latency p50/p95/p99." };
        var summary = new Option<FileInfo?>("--summary") { Description = "Write a JSON summary of every job and query of the script (rows, seconds, model stages) to this file." };
        var run = new Command("run", "Run a SQL script statement by statement; wait for bounded jobs, keep unbounded ones running until Ctrl+C.") { file, catalog, batch, set, stats, summary };
        run.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                await error.WriteLineAsync($"[ERROR] File not found: {path.FullName}").ConfigureAwait(false);
                return 2;
            }
            var engine = CreateEngine(parse.GetValue(catalog)!, parse.GetValue(batch), parse.GetValue(set), error);
            if (engine is null) return 2;
            await using (engine.ConfigureAwait(false))
                return await RunScriptAsync(engine, await File.ReadAllTextAsync(path.FullName, ct).ConfigureAwait(false), output, error,
                    parse.GetValue(stats), parse.GetValue(summary)?.FullName).ConfigureAwait(false);
        });

        var sql = new Command("sql", "Open the interactive SQL shell (statements end with ';').") { catalog, batch, set };
        sql.SetAction(async (parse, ct) =>
        {
            var engine = CreateEngine(parse.GetValue(catalog)!, parse.GetValue(batch), parse.GetValue(set), error);
            if (engine is null) return 2;
            await using (engine.ConfigureAwait(false))
                return await new Shell(engine, input, output, error).RunAsync().ConfigureAwait(false);
        });

        var root = new RootCommand("Runnel: a streaming SQL engine (Flink SQL dialect) for .NET.") { run, sql, ConnectionCommands.Build(catalog, input, output, error) };
        var config = new InvocationConfiguration { Output = output, Error = error };
        return await root.Parse(args).InvokeAsync(config).ConfigureAwait(false);
    }

    /// <summary>The informational version of the <c>runnel</c> assembly, without build metadata.</summary>
    public static string Version => typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>Engine options for <c>--catalog</c>: a <c>postgresql://</c> (or <c>postgres://</c>) URI names a shared
    /// PostgreSQL catalog (local data under <c>./.runnel</c>); anything else is a SQLite catalog file.</summary>
    internal static RunnelEngineOptions EngineOptions(string catalog, IReadOnlyDictionary<string, string>? config = null)
    {
        var postgres = catalog.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || catalog.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase);
        return new RunnelEngineOptions
        {
            CatalogPath = postgres ? Path.Combine(".runnel", "catalog.db") : catalog,
            Store = postgres ? new Runnel.Catalog.Stores.PostgresCatalogStore(catalog, ".runnel") : null,
            Configuration = config ?? new Dictionary<string, string>(),
        };
    }

    private static RunnelEngine? CreateEngine(string catalog, bool batchMode, string[]? settings, TextWriter error)
    {
        var config = new Dictionary<string, string>(StringComparer.Ordinal);
        if (batchMode) config[Session.RuntimeMode] = "batch";
        foreach (var s in settings ?? [])
        {
            var eq = s.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                error.WriteLine($"[ERROR] --set expects key=value, got '{s}'");
                return null;
            }
            config[s[..eq].Trim()] = s[(eq + 1)..].Trim();
        }
        try
        {
            return new RunnelEngine(EngineOptions(catalog, config));
        }
        catch (RunnelException e)
        {
            error.WriteLine($"[ERROR] {e.Message}");
            return null;
        }
    }

    /// <summary>Runs a script: stops at the first failing statement (exit 1), waits for bounded jobs after each
    /// INSERT, and at the end keeps unbounded jobs running until Ctrl+C.</summary>
    internal static async Task<int> RunScriptAsync(RunnelEngine engine, string script, TextWriter output, TextWriter error, bool stats = false, string? summaryPath = null)
    {
        var runner = new StatementRunner(engine, output, error, !Console.IsErrorRedirected) { PrintStats = stats };
        var exit = await RunStatementsAsync(engine, runner, script, output, error).ConfigureAwait(false);
        if (summaryPath is not null)
        {
            try
            {
                await File.WriteAllTextAsync(summaryPath, runner.Summary(exit)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"[ERROR] Could not write the summary to {summaryPath}: {e.Message}").ConfigureAwait(false);
                return exit == 0 ? 1 : exit;
            }
        }
        return exit;
    }

    private static async Task<int> RunStatementsAsync(RunnelEngine engine, StatementRunner runner, string script, TextWriter output, TextWriter error)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        // SIGTERM (a container or service manager stopping the worker) stops as gracefully as Ctrl+C.
        using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancel.Cancel();
        });
        try
        {
            IReadOnlyList<Statement> statements;
            try
            {
                statements = RunnelEngine.Parse(script);
            }
            catch (SqlException e)
            {
                await error.WriteLineAsync($"[ERROR] Could not execute SQL statement. Reason:\n{e.Message}").ConfigureAwait(false);
                return 1;
            }
            foreach (var statement in statements)
            {
                if (cancel.IsCancellationRequested) break;
                try
                {
                    await runner.RunAsync(statement, cancel.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancel.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    await output.FlushAsync().ConfigureAwait(false);
                    await error.WriteLineAsync($"[ERROR] Could not execute SQL statement. Reason:\n{StatementRunner.Describe(e)}").ConfigureAwait(false);
                    await engine.StopAllAsync().ConfigureAwait(false);
                    return 1;
                }
            }
            var running = engine.Jobs.Where(j => j.Status == JobStatus.Running).ToList();
            if (running.Count > 0 && !cancel.IsCancellationRequested)
                await output.WriteLineAsync($"[INFO] {running.Count} unbounded job(s) running; press Ctrl+C to stop.").ConfigureAwait(false);
            foreach (var job in running)
            {
                try
                {
                    await runner.WaitAsync(job, cancel.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    await error.WriteLineAsync($"[ERROR] Job {job.Id} failed. Reason:\n{StatementRunner.Describe(e)}").ConfigureAwait(false);
                    await engine.StopAllAsync().ConfigureAwait(false);
                    return 1;
                }
            }
            return 0;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
