using System.Text;
using Runnel.Core.Errors;
using Runnel.Engine;
using Runnel.Sql.Ast;

namespace Runnel.Cli;

/// <summary>
/// The interactive shell (<c>runnel sql</c>): reads statements ended by <c>;</c> over one or more lines, with line
/// editing and history (arrow keys; kept in <c>~/.runnel_history</c>) on a terminal. Ctrl+C cancels the running
/// query or job wait, not the shell; <c>QUIT;</c> or <c>EXIT;</c> or end of input leaves it.
/// </summary>
internal sealed class Shell(RunnelEngine engine, TextReader input, TextWriter output, TextWriter error)
{
    private readonly List<string> _history = [];
    private readonly string _historyPath = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".runnel_history");
    private CancellationTokenSource? _current;

    private bool Interactive => !Console.IsInputRedirected && ReferenceEquals(input, Console.In);

    public async Task<int> RunAsync()
    {
        if (Interactive && File.Exists(_historyPath)) _history.AddRange(File.ReadAllLines(_historyPath).TakeLast(1000));
        output.WriteLine($"Runnel {CliApp.Version} SQL shell. Statements end with ';'. Type HELP; for help, QUIT; to leave.");
        output.WriteLine();
        Console.CancelKeyPress += OnCancel;
        try
        {
            var runner = new StatementRunner(engine, output, error, Interactive, liveTables: Interactive);
            var buffer = new StringBuilder();
            while (true)
            {
                var line = ReadLine(buffer.Length == 0 ? "runnel> " : "      > ");
                if (line is null) break;
                buffer.Append(line).Append('\n');
                var text = buffer.ToString().Trim();
                if (text.Length == 0) { buffer.Clear(); continue; }
                if (!EndsStatement(text)) continue;
                buffer.Clear();
                Remember(text);
                var command = text.TrimEnd(';').Trim().ToUpperInvariant();
                if (command is "QUIT" or "EXIT") break;
                if (command == "HELP") { PrintHelp(); continue; }
                IReadOnlyList<Statement> statements;
                try
                {
                    statements = RunnelEngine.Parse(text);
                }
                catch (SqlException e)
                {
                    error.WriteLine($"[ERROR] Could not execute SQL statement. Reason:\n{e.Message}\n");
                    continue;
                }
                foreach (var statement in statements)
                {
                    _current = new CancellationTokenSource();
                    try
                    {
                        await runner.RunAsync(statement, _current.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        output.WriteLine("[INFO] Canceled.");
                    }
                    catch (Exception e)
                    {
                        error.WriteLine($"[ERROR] Could not execute SQL statement. Reason:\n{StatementRunner.Describe(e)}\n");
                        break;
                    }
                    finally
                    {
                        _current.Dispose();
                        _current = null;
                    }
                }
            }
            output.WriteLine("Shutting down the session...");
            await engine.StopAllAsync().ConfigureAwait(false);
            output.WriteLine("done.");
            return 0;
        }
        finally
        {
            Console.CancelKeyPress -= OnCancel;
            if (Interactive)
            {
                try { File.WriteAllLines(_historyPath, _history.TakeLast(1000)); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }

    private void OnCancel(object? sender, ConsoleCancelEventArgs e)
    {
        // Ctrl+C cancels the running statement; the shell itself keeps going.
        e.Cancel = true;
        _current?.Cancel();
    }

    /// <summary>True when the text ends with a semicolon outside quotes and comments.</summary>
    internal static bool EndsStatement(string text)
    {
        bool inString = false, inIdent = false, inBlock = false, inLine = false;
        var last = '\0';
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var next = i + 1 < text.Length ? text[i + 1] : '\0';
            if (inLine) { if (c == '\n') inLine = false; continue; }
            if (inBlock) { if (c == '*' && next == '/') { inBlock = false; i++; } continue; }
            if (inString) { if (c == '\'') inString = false; continue; }
            if (inIdent) { if (c == '`') inIdent = false; continue; }
            if (c == '-' && next == '-') { inLine = true; continue; }
            if (c == '/' && next == '*') { inBlock = true; i++; continue; }
            if (c == '\'') { inString = true; last = c; continue; }
            if (c == '`') { inIdent = true; last = c; continue; }
            if (!char.IsWhiteSpace(c)) last = c;
        }
        return last == ';' && !inString && !inIdent && !inBlock;
    }

    private void Remember(string statement)
    {
        var single = statement.Replace('\n', ' ');
        if (_history.Count == 0 || _history[^1] != single) _history.Add(single);
    }

    private void PrintHelp()
    {
        output.WriteLine("""
            Statements (end each with ';'):
              CREATE TABLE / VIEW, DROP, ALTER TABLE, INSERT INTO, SELECT, EXPLAIN,
              SHOW TABLES | VIEWS | FUNCTIONS | JOBS, DESCRIBE t, SHOW CREATE TABLE t,
              SET 'key' = 'value'; RESET 'key'; EXECUTE STATEMENT SET BEGIN ... END;
            Keys: Up/Down history, Left/Right/Home/End editing, Ctrl+C cancels the running query.
            QUIT; or EXIT; leaves the shell.

            """);
    }

    private string? ReadLine(string prompt)
    {
        output.Write(prompt);
        output.Flush();
        if (!Interactive) return input.ReadLine();
        var line = new StringBuilder();
        var cursor = 0;
        var historyIndex = _history.Count;
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    Console.WriteLine();
                    return line.ToString();
                case ConsoleKey.Backspace when cursor > 0:
                    line.Remove(--cursor, 1);
                    break;
                case ConsoleKey.Delete when cursor < line.Length:
                    line.Remove(cursor, 1);
                    break;
                case ConsoleKey.LeftArrow when cursor > 0: cursor--; break;
                case ConsoleKey.RightArrow when cursor < line.Length: cursor++; break;
                case ConsoleKey.Home: cursor = 0; break;
                case ConsoleKey.End: cursor = line.Length; break;
                case ConsoleKey.UpArrow when historyIndex > 0:
                    historyIndex--;
                    line.Clear().Append(_history[historyIndex]);
                    cursor = line.Length;
                    break;
                case ConsoleKey.DownArrow when historyIndex < _history.Count:
                    historyIndex++;
                    line.Clear().Append(historyIndex < _history.Count ? _history[historyIndex] : "");
                    cursor = line.Length;
                    break;
                case ConsoleKey.D when key.Modifiers.HasFlag(ConsoleModifiers.Control) && line.Length == 0:
                    Console.WriteLine();
                    return null;
                default:
                    if (!char.IsControl(key.KeyChar))
                    {
                        line.Insert(cursor, key.KeyChar);
                        cursor++;
                    }
                    break;
            }
            // Redraw the line and put the cursor where it belongs.
            Console.Write("\r\x1b[2K" + prompt + line);
            var back = line.Length - cursor;
            if (back > 0) Console.Write($"\x1b[{back}D");
        }
    }
}
