using Runnel.Connectors.Abstractions;
using Runnel.Connectors.Files;
using Runnel.Core.Data;
using Runnel.Core.Errors;
using Runnel.Core.Types;

namespace Runnel.Connectors.Tests;

public class FileSystemTests
{
    private static readonly Schema Schema = new([new Column("id", SqlType.Int), new Column("name", SqlType.String)]);

    private static TableContext Context(string path, string format, bool bounded, params (string, string)[] extra)
    {
        var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["connector"] = "filesystem", ["path"] = path, ["format"] = format };
        foreach (var (k, v) in extra) options[k] = v;
        return new TableContext { TableName = "t", PhysicalSchema = Schema, Options = options, Bounded = bounded, CatalogDirectory = Path.GetTempPath(), Counters = new JobCounters() };
    }

    [Fact]
    public async Task Sink_PartFileIsInvisibleUntilFinished()
    {
        var dir = Directory.CreateTempSubdirectory("runnel-fs-").FullName;
        await using var sink = new FileSystemConnector().CreateSink(Context(dir, "json", true));
        await sink.WriteAsync(new RowBatch([new Row([1, "a"]), new Row([2, "b"])]));
        Assert.DoesNotContain(Directory.GetFiles(dir), f => !Path.GetFileName(f).StartsWith('.'));
        await sink.FinishAsync();
        var part = Assert.Single(Directory.GetFiles(dir));
        Assert.StartsWith("part-", Path.GetFileName(part), StringComparison.Ordinal);
        Assert.Equal(2, File.ReadAllLines(part).Length);
    }

    [Fact]
    public async Task Sink_FailedJob_LeavesNoVisibleFile()
    {
        var dir = Directory.CreateTempSubdirectory("runnel-fs-").FullName;
        await using (var sink = new FileSystemConnector().CreateSink(Context(dir, "csv", true)))
            await sink.WriteAsync(new RowBatch([new Row([1, "a"])]));
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public async Task Source_BadLine_NamesFileAndLine()
    {
        var dir = Directory.CreateTempSubdirectory("runnel-fs-").FullName;
        var file = Path.Combine(dir, "in.json");
        await File.WriteAllTextAsync(file, "{\"id\": 1, \"name\": \"a\"}\n\n{\"id\": \"x\"}\n");
        var source = new FileSystemConnector().CreateSource(Context(file, "json", true));
        var e = await Assert.ThrowsAsync<DataFormatException>(async () => { await foreach (var _ in source.ReadAsync()) { } });
        Assert.Equal(3, e.Line);
        Assert.Equal(file, e.SourceName);
    }

    [Fact]
    public async Task Source_WithMonitorInterval_PicksUpAppendedLinesAndNewFiles()
    {
        var dir = Directory.CreateTempSubdirectory("runnel-fs-").FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, "a.csv"), "1,one\n2,tw");
        var source = new FileSystemConnector().CreateSource(Context(dir, "csv", false, ("source.monitor-interval", "20 ms")));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var names = new List<string>();
        var reading = Task.Run(async () =>
        {
            await foreach (var batch in source.ReadAsync(cts.Token))
            {
                lock (names)
                {
                    names.AddRange(batch.Rows.Select(r => (string)r.Values[1]!));
                    if (names.Count >= 3) return;
                }
            }
        });
        // Wait (however loaded the machine) for the complete first line, then give the source several more
        // monitor intervals: the unterminated line must not be read half-written.
        while (true)
        {
            lock (names) if (names.Count > 0) break;
            await Task.Delay(10, cts.Token);
        }
        await Task.Delay(200);
        lock (names) Assert.Equal(new[] { "one" }, names);
        await File.AppendAllTextAsync(Path.Combine(dir, "a.csv"), "o\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "b.csv"), "3,three\n");
        await reading.WaitAsync(cts.Token);
        Assert.Equal(new[] { "one", "two", "three" }, names);
    }
}
