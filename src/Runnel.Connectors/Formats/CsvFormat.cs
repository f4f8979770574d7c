using System.Buffers;
using System.Globalization;
using System.Text;
using CsvHelper;
using Runnel.Core.Data;
using Runnel.Core.Options;
using Runnel.Core.Types;

namespace Runnel.Connectors.Formats;

/// <summary>Flink's <c>csv</c> format, parsed and written with CsvHelper (RFC 4180 quoting). Flink's options
/// (<c>csv.field-delimiter</c>, <c>csv.quote-character</c>, <c>csv.disable-quote-character</c>,
/// <c>csv.allow-comments</c>, <c>csv.ignore-parse-errors</c>, <c>csv.array-element-delimiter</c>,
/// <c>csv.escape-character</c>, <c>csv.null-literal</c>) plus Runnel's own <c>csv.header</c>: the first record of each
/// file names the columns; declared columns are then matched to it by name (case-insensitive) and the file may hold
/// extra columns. An empty field is NULL for non-string columns, as in Flink.</summary>
public sealed class CsvFormat : IFormatFactory
{
    /// <inheritdoc />
    public string Name => "csv";
    /// <inheritdoc />
    public RecordFraming Framing => RecordFraming.CsvRecords;

    /// <inheritdoc />
    public IReadOnlyList<OptionDef> Options { get; } =
    [
        new("csv.field-delimiter", OptionType.String, "Field delimiter character.", Default: ","),
        new("csv.quote-character", OptionType.String, "Quote character for enclosing field values.", Default: "\""),
        new("csv.disable-quote-character", OptionType.Bool, "Do not treat any character as a quote.", Default: "false"),
        new("csv.allow-comments", OptionType.Bool, "Ignore lines starting with '#'.", Default: "false"),
        new("csv.ignore-parse-errors", OptionType.Bool, "Skip rows that do not parse (counted in the job summary) instead of failing.", Default: "false"),
        new("csv.array-element-delimiter", OptionType.String, "Separator of ARRAY elements within a field.", Default: ";"),
        new("csv.escape-character", OptionType.String, "Escape character inside quoted fields (default: none; a doubled quote escapes a quote)."),
        new("csv.null-literal", OptionType.String, "Field text read and written as NULL."),
        new("csv.header", OptionType.Bool, "Runnel option: the first record of each file is a header naming the columns; columns are matched to it by name. Writers emit a header.", Default: "false"),
    ];

    /// <inheritdoc />
    public bool IgnoreParseErrors(OptionReader options) => options.GetBool("csv.ignore-parse-errors");

    internal static (CsvReaderOptions Read, CsvWriterOptions Write) Config(OptionReader o)
    {
        var delimiter = o.GetString("csv.field-delimiter") ?? ",";
        if (delimiter == "\\t") delimiter = "\t";
        if (delimiter.Length != 1) throw new Core.Errors.OptionException($"Option 'csv.field-delimiter' must be a single character, got '{delimiter}'");
        var read = CsvReaderOptions.Default with
        {
            Separator = delimiter[0],
            HasHeader = false,
            AllowLineBreaksInQuotes = true,
            SkipEmptyLines = true,
            CommentPrefix = o.GetBool("csv.allow-comments") ? '#' : null,
        };
        var write = CsvWriterOptions.Default with { Separator = delimiter[0], NewLine = "\n" };
        if (o.GetBool("csv.disable-quote-character"))
        {
            read = read with { Mode = CsvMode.NoEscape };
            write = write with { Mode = CsvMode.NoEscape };
        }
        else
        {
            var q = o.GetString("csv.quote-character") ?? "\"";
            if (q.Length != 1) throw new Core.Errors.OptionException($"Option 'csv.quote-character' must be a single character, got '{q}'");
            read = read with { Quote = q[0] };
            if (o.GetString("csv.escape-character") is { Length: 1 } esc)
            {
                read = read with { Mode = CsvMode.Escape, Escape = esc[0] };
                write = write with { Mode = CsvMode.Escape, Escape = esc[0] };
            }
        }
        return (read, write);
    }

    /// <inheritdoc />
    public IRecordDecoder CreateDecoder(Schema schema, OptionReader options, IReadOnlySet<int>? usedColumns, TimeZoneInfo zone) =>
        new Decoder(schema, Config(options).Read, options.GetBool("csv.header"), options.GetString("csv.null-literal"),
            options.GetString("csv.array-element-delimiter") ?? ";", usedColumns, zone);

    /// <inheritdoc />
    public IRecordEncoder CreateEncoder(Schema schema, OptionReader options, TimeZoneInfo zone) =>
        new Encoder(schema, Config(options).Write, options.GetBool("csv.header"), options.GetString("csv.null-literal"),
            options.GetString("csv.array-element-delimiter") ?? ";");

    private sealed class Decoder(Schema schema, CsvReaderOptions config, bool header, string? nullLiteral, string arrayDelimiter,
        IReadOnlySet<int>? used, TimeZoneInfo zone) : IRecordDecoder
    {
        private int[]? _fieldOfColumn;

        public bool HasHeader => header;

        public void ReadHeader(ReadOnlySpan<byte> record)
        {
            var names = Split(record);
            var map = new int[schema.Count];
            for (var i = 0; i < schema.Count; i++)
            {
                map[i] = Array.FindIndex(names, n => string.Equals(n.Trim(), schema[i].Name, StringComparison.OrdinalIgnoreCase));
                if (map[i] < 0)
                {
                    // Fall back to position when the header does not name every column.
                    _fieldOfColumn = null;
                    return;
                }
            }
            _fieldOfColumn = map;
        }

        private string[] Split(ReadOnlySpan<byte> record)
        {
            using var reader = CsvReader.Create(new ReadOnlyMemory<byte>(record.ToArray()), config);
            if (!reader.Read()) return [];
            var fields = new string[reader.FieldCount];
            for (var i = 0; i < fields.Length; i++) fields[i] = reader.GetString(i);
            return fields;
        }

        public bool Decode(ReadOnlySpan<byte> record, object?[] values)
        {
            if (JsonFormat.IsBlank(record)) return false;
            if (config.CommentPrefix is not null && record.Length > 0 && record[0] == (byte)config.CommentPrefix) return false;
            var fields = Split(record);
            if (fields.Length == 0) return false;
            var needed = _fieldOfColumn is null ? schema.Count : _fieldOfColumn.Max() + 1;
            if (fields.Length < needed)
                throw new FormatException($"expected {schema.Count} fields but found {fields.Length}");
            for (var i = 0; i < schema.Count; i++)
            {
                if (used is not null && !used.Contains(i)) { values[i] = null; continue; }
                var text = fields[_fieldOfColumn?[i] ?? i];
                var type = schema[i].Type;
                if ((nullLiteral is not null && text == nullLiteral) || (text.Length == 0 && !type.IsCharacter))
                {
                    values[i] = null;
                    continue;
                }
                try
                {
                    values[i] = type.Kind == TypeKind.Array
                        ? text.Split(arrayDelimiter).Select(e => (object?)TextValues.Parse(e, type.Element!, zone)).ToArray()
                        : TextValues.Parse(text, type, zone);
                }
                catch (FormatException e)
                {
                    throw new FormatException($"column '{schema[i].Name}': {e.Message}");
                }
            }
            return true;
        }
    }

    private sealed class Encoder : IRecordEncoder
    {
        private readonly Schema _schema;
        private readonly string? _nullLiteral;
        private readonly string _arrayDelimiter;
        private readonly MemoryStream _buffer = new();
        private readonly CsvWriter _writer;

        public Encoder(Schema schema, CsvWriterOptions config, bool header, string? nullLiteral, string arrayDelimiter)
        {
            _schema = schema;
            _nullLiteral = nullLiteral;
            _arrayDelimiter = arrayDelimiter;
            _writer = CsvWriter.Create(_buffer, config, leaveOpen: true);
            if (header)
            {
                foreach (var c in schema.Columns) _writer.WriteField(c.Name);
                Header = Take();
            }
        }

        public byte[]? Header { get; }

        /// <summary>The record written since the last call, without its line terminator.</summary>
        private byte[] Take()
        {
            _writer.EndRecord();
            _writer.Flush();
            var bytes = _buffer.ToArray();
            _buffer.SetLength(0);
            var n = bytes.Length;
            while (n > 0 && bytes[n - 1] is (byte)'\n' or (byte)'\r') n--;
            return bytes[..n];
        }

        public void Encode(object?[] values, IBufferWriter<byte> output)
        {
            for (var i = 0; i < _schema.Count; i++)
            {
                var v = values[i];
                _writer.WriteField(v switch
                {
                    null => _nullLiteral ?? "",
                    object?[] arr => string.Join(_arrayDelimiter, arr.Select(e => ValueFormatter.Format(e, _schema[i].Type.Element))),
                    bool b => b ? "true" : "false",
                    byte[] bytes => Convert.ToBase64String(bytes),
                    _ => ValueFormatter.Format(v, _schema[i].Type),
                });
            }
            output.Write(Take());
        }
    }
}
