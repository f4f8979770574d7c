using System.Buffers;
using System.Text;
using Runnel.Connectors.Formats;
using Runnel.Core.Data;
using Runnel.Core.Options;
using Runnel.Core.Types;

namespace Runnel.Connectors.Tests;

public class FormatTests
{
    private static OptionReader Options(IFormatFactory f, params (string, string)[] kv) =>
        new(kv.ToDictionary(p => p.Item1, p => p.Item2, StringComparer.OrdinalIgnoreCase), new OptionSchema("test", f.Options));

    [Fact]
    public void Json_DecodesNestedTypesAndMissingFields()
    {
        var schema = new Schema([
            new Column("id", SqlType.BigInt), new Column("tags", SqlType.Array(SqlType.String)),
            new Column("attrs", SqlType.Map(SqlType.String, SqlType.Int)), new Column("r", SqlType.Row([new RowField("a", SqlType.Int)])),
            new Column("ts", SqlType.Timestamp(3)), new Column("missing", SqlType.String),
        ]);
        var f = new JsonFormat();
        var d = f.CreateDecoder(schema, Options(f), null, TimeZoneInfo.Utc);
        var values = new object?[schema.Count];
        Assert.True(d.Decode("""{"id": 7, "tags": ["x", "y"], "attrs": {"k": 1}, "r": {"a": 5, "extra": true}, "ts": "2024-01-01T10:00:00.5", "other": [1]}"""u8, values));
        Assert.Equal(7L, values[0]);
        Assert.Equal(new object?[] { "x", "y" }, values[1]);
        Assert.True(((MapValue)values[2]!).TryGetValue("k", out var v) && (int)v! == 1);
        Assert.Equal(5, ((RowValue)values[3]!).Fields[0]);
        Assert.Equal(new DateTime(2024, 1, 1, 10, 0, 0, 500), values[4]);
        Assert.Null(values[5]);
    }

    [Fact]
    public void Json_BadRecord_ThrowsWithTheField()
    {
        var f = new JsonFormat();
        var d = f.CreateDecoder(new Schema([new Column("n", SqlType.Int)]), Options(f), null, TimeZoneInfo.Utc);
        var e = Assert.Throws<FormatException>(() => d.Decode("""{"n": "abc"}"""u8, new object?[1]));
        Assert.Contains("'n'", e.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => d.Decode("""{"n": 1"""u8, new object?[1]));
    }

    [Fact]
    public void Json_FailOnMissingField_IsHonoured()
    {
        var f = new JsonFormat();
        var d = f.CreateDecoder(new Schema([new Column("n", SqlType.Int)]), Options(f, ("json.fail-on-missing-field", "true")), null, TimeZoneInfo.Utc);
        Assert.Throws<FormatException>(() => d.Decode("{}"u8, new object?[1]));
    }

    [Fact]
    public void Json_EncodeThenDecode_RoundTrips()
    {
        var schema = new Schema([new Column("a", SqlType.Decimal(10, 2)), new Column("b", SqlType.String), new Column("c", SqlType.TimestampLtz(3))]);
        var f = new JsonFormat();
        var buffer = new ArrayBufferWriter<byte>();
        var instant = new DateTimeOffset(2024, 5, 6, 7, 8, 9, 10, TimeSpan.Zero);
        f.CreateEncoder(schema, Options(f), TimeZoneInfo.Utc).Encode([1.5m, "x\ny", instant], buffer);
        var values = new object?[3];
        f.CreateDecoder(schema, Options(f), null, TimeZoneInfo.Utc).Decode(buffer.WrittenSpan, values);
        Assert.Equal(new object?[] { 1.5m, "x\ny", instant }, values);
    }

    [Fact]
    public void Csv_QuotedFieldsAndHeaderByName()
    {
        var schema = new Schema([new Column("city", SqlType.String), new Column("name", SqlType.String)]);
        var f = new CsvFormat();
        var d = f.CreateDecoder(schema, Options(f, ("csv.header", "true")), null, TimeZoneInfo.Utc);
        d.ReadHeader("name,city"u8);
        var values = new object?[2];
        d.Decode("\"Smith, \"\"J\"\"\",\"Paris\nFrance\""u8, values);
        Assert.Equal("Paris\nFrance", values[0]);
        Assert.Equal("Smith, \"J\"", values[1]);
    }

    [Fact]
    public void Csv_EmptyNumericField_IsNull_AndShortRecordIsAnError()
    {
        var schema = new Schema([new Column("a", SqlType.Int), new Column("b", SqlType.String)]);
        var f = new CsvFormat();
        var d = f.CreateDecoder(schema, Options(f), null, TimeZoneInfo.Utc);
        var values = new object?[2];
        d.Decode(",x"u8, values);
        Assert.Null(values[0]);
        var e = Assert.Throws<FormatException>(() => d.Decode("1"u8, values));
        Assert.Contains("expected 2 fields", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_Encode_QuotesWhenNeeded()
    {
        var schema = new Schema([new Column("a", SqlType.String), new Column("b", SqlType.Int)]);
        var f = new CsvFormat();
        var buffer = new ArrayBufferWriter<byte>();
        f.CreateEncoder(schema, Options(f), TimeZoneInfo.Utc).Encode(["a,\"b\"", null], buffer);
        Assert.Equal("\"a,\"\"b\"\"\",", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
