using System.Buffers;
using System.Text;
using Runnel.Core.Errors;
using Runnel.Core.Options;
using Runnel.Core.Types;

namespace Runnel.Connectors.Formats;

/// <summary>Flink's <c>raw</c> format: the whole record is the value of the table's single STRING or BYTES column.
/// In files a record is a line. Options: <c>raw.charset</c> (UTF-8 only here), <c>raw.endianness</c> (accepted for
/// compatibility; it matters only for numeric raw values, which Runnel does not support).</summary>
public sealed class RawFormat : IFormatFactory
{
    /// <inheritdoc />
    public string Name => "raw";
    /// <inheritdoc />
    public RecordFraming Framing => RecordFraming.Lines;

    /// <inheritdoc />
    public IReadOnlyList<OptionDef> Options { get; } =
    [
        new("raw.charset", OptionType.Enum, "Character set of STRING values.", Default: "UTF-8", AllowedValues: ["UTF-8"]),
        new("raw.endianness", OptionType.Enum, "Byte order of numeric values.", Default: "big-endian", AllowedValues: ["big-endian", "little-endian"]),
    ];

    /// <inheritdoc />
    public bool IgnoreParseErrors(OptionReader options) => false;

    private static void Check(Schema schema)
    {
        var physical = schema.Count;
        if (physical != 1 || schema[0].Type.Kind is not (TypeKind.VarChar or TypeKind.Char or TypeKind.Bytes))
            throw new OptionException($"The 'raw' format supports only one physical column of type STRING or BYTES, but the schema is {schema}");
    }

    /// <inheritdoc />
    public IRecordDecoder CreateDecoder(Schema schema, OptionReader options, IReadOnlySet<int>? usedColumns, TimeZoneInfo zone)
    {
        Check(schema);
        return new Decoder(schema[0].Type.Kind == TypeKind.Bytes);
    }

    /// <inheritdoc />
    public IRecordEncoder CreateEncoder(Schema schema, OptionReader options, TimeZoneInfo zone)
    {
        Check(schema);
        return new Encoder();
    }

    private sealed class Decoder(bool bytes) : IRecordDecoder
    {
        public bool HasHeader => false;
        public void ReadHeader(ReadOnlySpan<byte> record) { }

        public bool Decode(ReadOnlySpan<byte> record, object?[] values)
        {
            if (record.Length > 0 && record[^1] == (byte)'\r') record = record[..^1];
            values[0] = bytes ? record.ToArray() : Encoding.UTF8.GetString(record);
            return true;
        }
    }

    private sealed class Encoder : IRecordEncoder
    {
        public byte[]? Header => null;

        public void Encode(object?[] values, IBufferWriter<byte> output)
        {
            switch (values[0])
            {
                case null: break;
                case byte[] b: output.Write(b); break;
                case string s: output.Write(Encoding.UTF8.GetBytes(s)); break;
                default: output.Write(Encoding.UTF8.GetBytes(Core.Data.ValueFormatter.Format(values[0]))); break;
            }
        }
    }
}
