using System.Buffers;
using Runnel.Core.Options;
using Runnel.Core.Types;

namespace Runnel.Connectors.Formats;

/// <summary>How a file's bytes split into records before decoding.</summary>
public enum RecordFraming
{
    /// <summary>One record per line (JSON lines, raw).</summary>
    Lines,
    /// <summary>CSV records: lines, except that a line break inside a quoted field continues the record.</summary>
    CsvRecords,
}

/// <summary>A format (Flink's <c>format</c> option): its options and codecs for one table schema. Thread-safe.</summary>
public interface IFormatFactory
{
    /// <summary>The <c>format</c> option value.</summary>
    string Name { get; }
    /// <summary>The format's option keys, prefixed with the format name (<c>json.ignore-parse-errors</c>).</summary>
    IReadOnlyList<OptionDef> Options { get; }
    /// <summary>How records are delimited in files.</summary>
    RecordFraming Framing { get; }
    /// <summary>A decoder for rows of <paramref name="schema"/>; columns outside <paramref name="usedColumns"/> may be left NULL.</summary>
    IRecordDecoder CreateDecoder(Schema schema, OptionReader options, IReadOnlySet<int>? usedColumns, TimeZoneInfo zone);
    /// <summary>An encoder for rows of <paramref name="schema"/>.</summary>
    IRecordEncoder CreateEncoder(Schema schema, OptionReader options, TimeZoneInfo zone);
    /// <summary>True when the options say to skip rows that do not parse instead of failing.</summary>
    bool IgnoreParseErrors(OptionReader options);
}

/// <summary>Decodes one record (without its line terminator) into column values. Throws <see cref="FormatException"/>
/// with a reason for a bad record. One instance per reader; not thread-safe.</summary>
public interface IRecordDecoder
{
    /// <summary>True when the first record of each file is a header that <see cref="ReadHeader"/> consumes.</summary>
    bool HasHeader { get; }
    /// <summary>Reads a header record (when <see cref="HasHeader"/>).</summary>
    void ReadHeader(ReadOnlySpan<byte> record);
    /// <summary>False when the record is to be ignored (an empty line, a comment); true when values were set.</summary>
    bool Decode(ReadOnlySpan<byte> record, object?[] values);
}

/// <summary>Encodes one row's values as one record, without a line terminator. Not thread-safe.</summary>
public interface IRecordEncoder
{
    /// <summary>A header record written at the start of each file, or null.</summary>
    byte[]? Header { get; }
    /// <summary>Appends one record for <paramref name="values"/> to <paramref name="output"/>.</summary>
    void Encode(object?[] values, IBufferWriter<byte> output);
}

/// <summary>The formats known to file and message connectors, by name.</summary>
public static class FormatRegistry
{
    private static readonly Dictionary<string, IFormatFactory> Formats = new(StringComparer.OrdinalIgnoreCase)
    {
        ["json"] = new JsonFormat(),
        ["csv"] = new CsvFormat(),
        ["raw"] = new RawFormat(),
    };

    /// <summary>The format names.</summary>
    public static IEnumerable<string> Names => Formats.Keys;

    /// <summary>The format by name; throws <see cref="Core.Errors.OptionException"/> listing the available ones.</summary>
    public static IFormatFactory Get(string name) =>
        Formats.TryGetValue(name, out var f) ? f : throw new Core.Errors.OptionException(
            $"Could not find any format factory for identifier '{name}'. Available formats: {string.Join(", ", Formats.Keys.Order(StringComparer.Ordinal))}");

    /// <summary>The format by name (case-insensitive).</summary>
    public static bool TryGet(string name, out IFormatFactory format) => Formats.TryGetValue(name, out format!);
}
