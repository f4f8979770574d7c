using Runnel.Connectors.Managed;
using Runnel.Core.Data;
using Runnel.Core.Types;

namespace Runnel.Connectors.Tests;

public class ManagedLogTests
{
    private static readonly Schema Schema = new([new Column("id", SqlType.Int), new Column("text", SqlType.String), new Column("ts", SqlType.Timestamp(3)), new Column("amount", SqlType.Decimal(10, 2))]);

    private static string NewDir() => Directory.CreateTempSubdirectory("runnel-log-").FullName;

    private static async Task<List<Row>> ReadAllAsync(TableLog log)
    {
        var rows = new List<Row>();
        await foreach (var (_, batch) in log.ReadAsync(0, log.Length, TimeSpan.FromMilliseconds(10)))
            rows.AddRange(batch);
        return rows;
    }

    [Fact]
    public void Crc32_MatchesTheStandardCheckValue()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
    }

    [Fact]
    public async Task Append_ThenRead_RoundTripsValuesAndKinds()
    {
        var log = new TableLog(NewDir(), "t", Schema);
        var ts = new DateTime(2024, 1, 2, 3, 4, 5, 678);
        await log.AppendAsync([new Row([1, "a \"quoted\" text", ts, 12.34m]), new Row([2, null, null, null], RowKind.Delete)]);
        var rows = await ReadAllAsync(log);
        Assert.Equal(2, rows.Count);
        Assert.Equal(new object?[] { 1, "a \"quoted\" text", ts, 12.34m }, rows[0].Values);
        Assert.Equal(RowKind.Delete, rows[1].Kind);
        Assert.Null(rows[1].Values[1]);
    }

    [Fact]
    public async Task TornTail_IsNeverRead_AndIsRepairedByTheNextAppend()
    {
        var dir = NewDir();
        var log = new TableLog(dir, "t", Schema);
        await log.AppendAsync([new Row([1, "one", null, null])]);
        var path = Path.Combine(log.Directory, "log");
        var whole = File.ReadAllBytes(path);
        // Simulate a crash in the middle of writing a second record: a header and half a payload.
        await log.AppendAsync([new Row([2, "two", null, null])]);
        var both = File.ReadAllBytes(path);
        File.WriteAllBytes(path, both[..(whole.Length + (both.Length - whole.Length) / 2)]);

        var visible = await ReadAllAsync(new TableLog(dir, "t", Schema));
        Assert.Single(visible);
        Assert.Equal("one", visible[0].Values[1]);

        await new TableLog(dir, "t", Schema).AppendAsync([new Row([3, "three", null, null])]);
        var after = await ReadAllAsync(new TableLog(dir, "t", Schema));
        Assert.Equal(new[] { "one", "three" }, after.Select(r => (string)r.Values[1]!));
    }

    [Fact]
    public async Task ConcurrentAppenders_LoseNothing()
    {
        var dir = NewDir();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var log = new TableLog(dir, "t", Schema);
            for (var i = 0; i < 25; i++) await log.AppendAsync([new Row([w * 100 + i, "x", null, null])]);
        }));
        await Task.WhenAll(writers);
        var rows = await ReadAllAsync(new TableLog(dir, "t", Schema));
        Assert.Equal(100, rows.Count);
        Assert.Equal(100, rows.Select(r => r.Values[0]).Distinct().Count());
    }

    [Fact]
    public async Task UnboundedRead_SeesRowsAppendedLater()
    {
        var dir = NewDir();
        var log = new TableLog(dir, "t", Schema);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<int>();
        var reader = Task.Run(async () =>
        {
            await foreach (var (_, batch) in new TableLog(dir, "t", Schema).ReadAsync(0, null, TimeSpan.FromMilliseconds(10), cts.Token))
            {
                seen.AddRange(batch.Select(r => (int)r.Values[0]!));
                if (seen.Count >= 3) return;
            }
        });
        await log.AppendAsync([new Row([1, "a", null, null])]);
        await Task.Delay(50);
        await log.AppendAsync([new Row([2, "b", null, null]), new Row([3, "c", null, null])]);
        await reader.WaitAsync(cts.Token);
        Assert.Equal(new[] { 1, 2, 3 }, seen);
    }
}
