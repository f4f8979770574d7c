using System.Buffers;
using System.Text;
using System.Text.Json;
using Runnel.Core.Data;
using Runnel.Core.Options;
using Runnel.Core.Types;

namespace Runnel.Connectors.Formats;

/// <summary>Flink's <c>json</c> format: one JSON object per record, fields matched to columns by name (exact, then
/// case-insensitive). Options as Flink's: <c>json.ignore-parse-errors</c>, <c>json.fail-on-missing-field</c>,
/// <c>json.timestamp-format.standard</c> (SQL or ISO-8601), <c>json.map-null-key.mode</c>,
/// <c>json.encode.decimal-as-plain-number</c>.</summary>
public sealed class JsonFormat : IFormatFactory
{
    /// <inheritdoc />
    public string Name => "json";
    /// <inheritdoc />
    public RecordFraming Framing => RecordFraming.Lines;

    /// <inheritdoc />
    public IReadOnlyList<OptionDef> Options { get; } =
    [
        new("json.ignore-parse-errors", OptionType.Bool, "Skip rows that are not valid JSON or do not fit the schema (counted in the job summary) instead of failing.", Default: "false"),
        new("json.fail-on-missing-field", OptionType.Bool, "Fail when a column's field is absent (otherwise the column is NULL).", Default: "false"),
        new("json.timestamp-format.standard", OptionType.Enum, "Timestamp text written: SQL (yyyy-MM-dd HH:mm:ss.SSS) or ISO-8601. Both are read.", Default: "SQL", AllowedValues: ["SQL", "ISO-8601"]),
        new("json.map-null-key.mode", OptionType.Enum, "What to do with a NULL map key when writing.", Default: "FAIL", AllowedValues: ["FAIL", "DROP", "LITERAL"]),
        new("json.map-null-key.literal", OptionType.String, "Key written for NULL map keys in LITERAL mode.", Default: "null"),
        new("json.encode.decimal-as-plain-number", OptionType.Bool, "Write decimals without scientific notation.", Default: "false"),
    ];

    /// <inheritdoc />
    public bool IgnoreParseErrors(OptionReader options) => options.GetBool("json.ignore-parse-errors");

    /// <inheritdoc />
    public IRecordDecoder CreateDecoder(Schema schema, OptionReader options, IReadOnlySet<int>? usedColumns, TimeZoneInfo zone) =>
        new Decoder(schema, usedColumns, options.GetBool("json.fail-on-missing-field"), zone);

    /// <inheritdoc />
    public IRecordEncoder CreateEncoder(Schema schema, OptionReader options, TimeZoneInfo zone) =>
        new Encoder(schema, string.Equals(options.GetString("json.timestamp-format.standard"), "ISO-8601", StringComparison.OrdinalIgnoreCase));

    private sealed class Decoder(Schema schema, IReadOnlySet<int>? used, bool failOnMissing, TimeZoneInfo zone) : IRecordDecoder
    {
        private readonly byte[][] _names = schema.Columns.Select(c => Encoding.UTF8.GetBytes(c.Name)).ToArray();
        private readonly bool[] _seen = new bool[schema.Count];

        public bool HasHeader => false;
        public void ReadHeader(ReadOnlySpan<byte> record) { }

        public bool Decode(ReadOnlySpan<byte> record, object?[] values)
        {
            if (IsBlank(record)) return false;
            var reader = new Utf8JsonReader(record, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
            Array.Clear(_seen);
            try
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                    throw new FormatException("a JSON object was expected");
                var next = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var idx = Find(ref reader, next);
                    reader.Read();
                    if (idx < 0 || (used is not null && !used.Contains(idx)))
                    {
                        reader.Skip();
                        continue;
                    }
                    next = idx + 1;
                    try
                    {
                        values[idx] = JsonValueCodec.Read(ref reader, schema[idx].Type, zone);
                    }
                    catch (FormatException e)
                    {
                        throw new FormatException($"field '{schema[idx].Name}': {e.Message}");
                    }
                    catch (InvalidOperationException e)
                    {
                        throw new FormatException($"field '{schema[idx].Name}': {e.Message}");
                    }
                    _seen[idx] = true;
                }
                if (reader.Read()) throw new FormatException("unexpected data after the JSON object");
            }
            catch (JsonException e)
            {
                throw new FormatException("invalid JSON: " + e.Message);
            }
            for (var i = 0; i < values.Length && i < _seen.Length; i++)
            {
                if (_seen[i]) continue;
                if (failOnMissing && (used is null || used.Contains(i))) throw new FormatException($"field '{schema[i].Name}' is missing");
                values[i] = null;
            }
            return true;
        }

        private int Find(ref Utf8JsonReader reader, int guess)
        {
            if (guess < _names.Length && reader.ValueTextEquals(_names[guess])) return guess;
            for (var i = 0; i < _names.Length; i++)
                if (reader.ValueTextEquals(_names[i])) return i;
            var name = reader.GetString();
            for (var i = 0; i < _names.Length; i++)
                if (string.Equals(schema[i].Name, name, StringComparison.OrdinalIgnoreCase)) return i;
            return -1;
        }
    }

    internal static bool IsBlank(ReadOnlySpan<byte> record)
    {
        foreach (var b in record)
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r')) return false;
        return true;
    }

    private sealed class Encoder(Schema schema, bool iso) : IRecordEncoder
    {
        public byte[]? Header => null;

        public void Encode(object?[] values, IBufferWriter<byte> output)
        {
            using var writer = new Utf8JsonWriter(output);
            writer.WriteStartObject();
            for (var i = 0; i < schema.Count; i++)
            {
                writer.WritePropertyName(schema[i].Name);
                JsonValueCodec.Write(writer, values[i], schema[i].Type, iso);
            }
            writer.WriteEndObject();
        }
    }
}
