using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsvHelper;
using Runnel.Core.Data;
using Runnel.Core.Errors;
using Runnel.Core.Types;
using Runnel.Models.Abstractions;

namespace Runnel.Models.Formats;

/// <summary>A request body a codec built: the bytes and their content type.</summary>
public sealed record EncodedRequest(byte[] Body, string ContentType);

/// <summary>
/// The predictive wire formats of Confluent's CREATE MODEL (<c>&lt;provider&gt;.input_format</c> and
/// <c>.output_format</c>; SQL-SURFACE §4): how the typed INPUT columns of one or more rows become a request body, and
/// how the answer becomes typed OUTPUT columns. Request bodies for the row (c1, c2):
/// <list type="bullet">
/// <item><c>JSON</c>: <c>{"c1": v1, "c2": v2}</c> plus every <c>params.*</c> key;</item>
/// <item><c>JSON-ARRAY</c>: <c>[v1, v2]</c> (a single ARRAY input is the top-level array);</item>
/// <item><c>JSON:wrapper</c>: <c>{"wrapper": {"c1": v1, ...}}</c>;</item>
/// <item><c>TEXT</c>: the values as text, one per line; <c>CSV</c>: one CSV line; <c>BINARY</c>: the values packed
/// little-endian in column order;</item>
/// <item><c>TF-SERVING</c> (= <c>KSERVE-V1</c>): <c>{"instances": [[v1, v2]]}</c>;</item>
/// <item><c>TF-SERVING-COLUMN</c> (= <c>JSON:inputs</c>, <c>MLFLOW-TENSOR</c>): <c>{"inputs": {"c1": [v1], ...}}</c>,
/// answer <c>JSON:outputs</c>;</item>
/// <item><c>TRITON</c> (= <c>KSERVE-V2</c>): <c>{"inputs": [{"name", "shape", "datatype", "data"}]}</c>;</item>
/// <item><c>PANDAS-DATAFRAME</c>: <c>{"dataframe_split": {"columns": [...], "data": [[...]]}}</c>, answer
/// <c>JSON-ARRAY</c> (one item per row; MLflow's <c>{"predictions": [...]}</c> too);</item>
/// <item><c>AZUREML-PANDAS-DATAFRAME</c>: the same under <c>"input_data"</c> with an <c>index</c>;</item>
/// <item><c>AZUREML-TENSOR</c> (= <c>JSON:input_data</c>): answer <c>JSON:outputs</c>;</item>
/// <item><c>VERTEXAI-PYTORCH</c>: <c>{"instances": [{"data": [v1, v2]}]}</c>, answer <c>TF-SERVING</c>.</item>
/// </list>
/// The formats that list instances (TF-SERVING, VERTEXAI-PYTORCH and the two data frames, answered with one item per
/// row) carry up to <see cref="MaxRows"/> rows a request; the others one. Several OUTPUT columns are read from a JSON
/// object by name or from an array by position; a one-element array around a scalar is unwrapped. A value that does
/// not fit its declared type fails that row with an error naming the column, the type and the value.
/// </summary>
public sealed class PredictiveCodec
{
    /// <summary>Rows one request carries for the formats that list instances.</summary>
    public const int InstancesPerRequest = 64;

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["KSERVE-V1"] = "TF-SERVING",
        ["JSON:inputs"] = "TF-SERVING-COLUMN",
        ["MLFLOW-TENSOR"] = "TF-SERVING-COLUMN",
        ["KSERVE-V2"] = "TRITON",
        ["AZUREML-TENSOR"] = "JSON:input_data",
    };

    private static readonly string[] Named =
    [
        "JSON", "JSON-ARRAY", "TEXT", "CSV", "BINARY", "TF-SERVING", "TF-SERVING-COLUMN", "TRITON", "PANDAS-DATAFRAME",
        "AZUREML-PANDAS-DATAFRAME", "VERTEXAI-PYTORCH",
    ];

    /// <summary>Every predictive format name the codec accepts (besides <c>JSON:&lt;wrapper&gt;</c>).</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Named, .. Aliases.Keys.Where(k => !k.StartsWith("JSON:", StringComparison.Ordinal))];

    private readonly ModelSignature _signature;
    private readonly IReadOnlyList<(string Name, string Value)> _params;
    private readonly bool _rowList;

    private PredictiveCodec(string input, string output, ModelSignature signature, IReadOnlyList<(string, string)> parameters)
    {
        InputFormat = input;
        OutputFormat = output;
        _signature = signature;
        _params = parameters;
        var dataFrame = input is "PANDAS-DATAFRAME" or "AZUREML-PANDAS-DATAFRAME";
        _rowList = output == "TF-SERVING" || (output == "JSON-ARRAY" && dataFrame);
        MaxRows = _rowList && (dataFrame || input is "TF-SERVING" or "VERTEXAI-PYTORCH") ? InstancesPerRequest : 1;
    }

    /// <summary>The canonical input format name.</summary>
    public string InputFormat { get; }

    /// <summary>The canonical output format name (the input format's default unless overridden).</summary>
    public string OutputFormat { get; }

    /// <summary>How many rows one request carries.</summary>
    public int MaxRows { get; }

    /// <summary>The canonical spelling of a predictive format, or null when <paramref name="format"/> is not one:
    /// upper-case names, aliases resolved, the wrapper of <c>JSON:wrapper</c> kept as written.</summary>
    public static string? Canonical(string format)
    {
        ArgumentNullException.ThrowIfNull(format);
        var f = format.Trim();
        if (Aliases.TryGetValue(f, out var alias)) return alias;
        if (f.StartsWith("JSON:", StringComparison.OrdinalIgnoreCase) && f.Length > 5) return "JSON:" + f[5..];
        var upper = f.ToUpperInvariant();
        return Named.Contains(upper) ? upper : null;
    }

    /// <summary>The output format a predictive input format answers in when <c>output_format</c> is not set.</summary>
    public static string DefaultOutput(string input) => input switch
    {
        "TF-SERVING-COLUMN" or "JSON:input_data" => "JSON:outputs",
        "PANDAS-DATAFRAME" or "AZUREML-PANDAS-DATAFRAME" => "JSON-ARRAY",
        "VERTEXAI-PYTORCH" => "TF-SERVING",
        _ => input,
    };

    /// <summary>A codec for a model's signature. Throws <see cref="OptionException"/> for an unknown format, a
    /// <c>params.*</c> key on a format other than JSON (naming it), or a BINARY signature it cannot pack.</summary>
    public static PredictiveCodec Create(string inputFormat, string? outputFormat, ModelSignature signature, IEnumerable<(string Name, string Value)> parameters)
    {
        ArgumentNullException.ThrowIfNull(signature);
        var input = Canonical(inputFormat) ?? throw new OptionException($"Unknown input format '{inputFormat}'. Predictive formats: {string.Join(", ", Names)}, JSON:<wrapper>");
        var output = outputFormat is null ? DefaultOutput(input)
            : Canonical(outputFormat) ?? throw new OptionException($"Unknown output format '{outputFormat}'. Predictive formats: {string.Join(", ", Names)}, JSON:<wrapper>");
        var list = parameters.ToList();
        if (list.Count > 0 && input != "JSON")
            throw new OptionException($"Parameter '{list[0].Name}' is not supported by the {input} format: only the JSON format takes params");
        foreach (var (_, value) in list) ParamJson(value);
        if (signature.Inputs.Count == 0) throw new OptionException($"The {input} format needs at least one INPUT column");
        if (signature.Outputs.Count == 0) throw new OptionException($"The {output} format needs at least one OUTPUT column");
        foreach (var (columns, format, side) in new[] { (signature.Inputs, input, "INPUT"), (signature.Outputs, output, "OUTPUT") })
            if (format == "BINARY")
                for (var i = 0; i < columns.Count; i++)
                    if (Width(columns[i].Type) is null && (i != columns.Count - 1 || columns[i].Type.Kind is not (TypeKind.VarChar or TypeKind.Char or TypeKind.Bytes)))
                        throw new OptionException($"The BINARY format packs fixed-width numbers and BOOLEAN; {side} column '{columns[i].Name}' {columns[i].Type} can only be the last column if it is STRING or BYTES");
        return new PredictiveCodec(input, output, signature, list);
    }

    /// <summary>The content type of a format's bodies.</summary>
    public static string ContentType(string format) => format switch
    {
        "CSV" => "text/csv",
        "TEXT" => "text/plain",
        "BINARY" => "application/octet-stream",
        _ => "application/json",
    };

    // ---------------------------------------------------------------- encode

    /// <summary>The request body for <paramref name="rows"/> (INPUT values in order, at most <see cref="MaxRows"/>).</summary>
    public EncodedRequest Encode(IReadOnlyList<object?[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0 || rows.Count > MaxRows) throw new ArgumentOutOfRangeException(nameof(rows), $"{InputFormat} carries 1 to {MaxRows} rows a request");
        var inputs = _signature.Inputs;
        switch (InputFormat)
        {
            case "TEXT":
                return new(Encoding.UTF8.GetBytes(string.Join("\n", rows[0].Select((v, i) => ValueFormatter.Format(v, inputs[i].Type, "")))), "text/plain");
            case "CSV":
            {
                using var buffer = new MemoryStream();
                using (var csv = CsvWriter.Create(buffer, CsvWriterOptions.Default with { NewLine = "\n" }, leaveOpen: true))
                {
                    for (var i = 0; i < inputs.Count; i++) csv.WriteField(ValueFormatter.Format(rows[0][i], inputs[i].Type, ""));
                    csv.EndRecord();
                }
                return new(buffer.ToArray(), "text/csv");
            }
            case "BINARY":
                return new(Pack(rows[0]), "application/octet-stream");
        }
        JsonNode? body = InputFormat switch
        {
            "JSON" => JsonWithParams(rows[0]),
            "JSON-ARRAY" => inputs.Count == 1 && inputs[0].Type.Kind == TypeKind.Array ? Json(rows[0][0], inputs[0].Type) : ArrayOf(rows[0]),
            "TF-SERVING" => new JsonObject { ["instances"] = new JsonArray(rows.Select(Instance).ToArray()) },
            "VERTEXAI-PYTORCH" => new JsonObject { ["instances"] = new JsonArray(rows.Select(r => (JsonNode?)new JsonObject { ["data"] = Instance(r) }).ToArray()) },
            "TF-SERVING-COLUMN" => new JsonObject { ["inputs"] = Object(inputs.Select((c, i) => (c.Name, (JsonNode?)new JsonArray(Json(rows[0][i], c.Type))))) },
            "TRITON" => new JsonObject { ["inputs"] = new JsonArray(inputs.Select((c, i) => (JsonNode?)Triton(c, rows[0][i])).ToArray()) },
            "PANDAS-DATAFRAME" => new JsonObject { ["dataframe_split"] = DataFrame(rows, index: false) },
            "AZUREML-PANDAS-DATAFRAME" => new JsonObject { ["input_data"] = DataFrame(rows, index: true) },
            _ => new JsonObject { [InputFormat[5..]] = Object(inputs.Select((c, i) => (c.Name, Json(rows[0][i], c.Type)))) },
        };
        return new(Encoding.UTF8.GetBytes(body?.ToJsonString() ?? "null"), "application/json");
    }

    private JsonObject JsonWithParams(object?[] row)
    {
        var body = Object(_signature.Inputs.Select((c, i) => (c.Name, Json(row[i], c.Type))));
        foreach (var (name, value) in _params) body[name] = ParamJson(value);
        return body;
    }

    /// <summary>A JSON-format param: a JSON object or array as written (<c>'sagemaker.params.parameters' =
    /// '{"max_new_tokens": 128}'</c>), otherwise as <see cref="ProviderParams.Value"/> reads it.</summary>
    private static JsonNode ParamJson(string value)
    {
        var t = value.TrimStart();
        if (t.StartsWith('{') || t.StartsWith('['))
        {
            try { return JsonNode.Parse(value)!; }
            catch (JsonException e) { throw new OptionException($"Param value '{Cut(value)}' starts like JSON but is not: {e.Message}"); }
        }
        return ProviderParams.Value(value);
    }

    private JsonNode? Instance(object?[] row) =>
        _signature.Inputs.Count == 1 && _signature.Inputs[0].Type.Kind == TypeKind.Array ? Json(row[0], _signature.Inputs[0].Type) : ArrayOf(row);

    private JsonArray ArrayOf(object?[] row) => new(_signature.Inputs.Select((c, i) => Json(row[i], c.Type)).ToArray());

    private JsonObject DataFrame(IReadOnlyList<object?[]> rows, bool index)
    {
        var frame = new JsonObject { ["columns"] = new JsonArray(_signature.Inputs.Select(c => (JsonNode?)JsonValue.Create(c.Name)).ToArray()) };
        if (index) frame["index"] = new JsonArray(Enumerable.Range(0, rows.Count).Select(i => (JsonNode?)JsonValue.Create(i)).ToArray());
        frame["data"] = new JsonArray(rows.Select(r => (JsonNode?)ArrayOf(r)).ToArray());
        return frame;
    }

    private static JsonObject Object(IEnumerable<(string Name, JsonNode? Value)> fields)
    {
        var o = new JsonObject();
        foreach (var (name, value) in fields) o[name] = value;
        return o;
    }

    /// <summary>KServe v2 / Triton: one tensor per column, shape [1] for a scalar and [1, n] for an array.</summary>
    private static JsonObject Triton(Column column, object? value)
    {
        var type = column.Type.Kind == TypeKind.Array ? column.Type.Element! : column.Type;
        var values = value is object?[] arr ? arr : [value];
        var shape = column.Type.Kind == TypeKind.Array ? new JsonArray(1, values.Length) : new JsonArray(1);
        return new JsonObject
        {
            ["name"] = column.Name,
            ["shape"] = shape,
            ["datatype"] = type.Kind switch
            {
                TypeKind.Boolean => "BOOL",
                TypeKind.TinyInt => "INT8",
                TypeKind.SmallInt => "INT16",
                TypeKind.Int => "INT32",
                TypeKind.BigInt => "INT64",
                TypeKind.Float => "FP32",
                TypeKind.Double or TypeKind.Decimal => "FP64",
                _ => "BYTES",
            },
            ["data"] = new JsonArray(values.Select(v => Json(v, type)).ToArray()),
        };
    }

    private static JsonNode? Json(object? value, SqlType type)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer)) JsonValueCodec.Write(writer, value, type);
        return JsonNode.Parse(buffer.WrittenSpan);
    }

    private static int? Width(SqlType type) => type.Kind switch
    {
        TypeKind.Boolean or TypeKind.TinyInt => 1,
        TypeKind.SmallInt => 2,
        TypeKind.Int or TypeKind.Float => 4,
        TypeKind.BigInt or TypeKind.Double => 8,
        _ => null,
    };

    private byte[] Pack(object?[] row)
    {
        using var stream = new MemoryStream();
        var scratch = new byte[8];
        for (var i = 0; i < row.Length; i++)
        {
            var type = _signature.Inputs[i].Type;
            switch (row[i])
            {
                case string s: stream.Write(Encoding.UTF8.GetBytes(s)); continue;
                case byte[] b: stream.Write(b); continue;
            }
            var width = Width(type)!.Value;
            switch (type.Kind)
            {
                case TypeKind.Boolean: scratch[0] = (bool)row[i]! ? (byte)1 : (byte)0; break;
                case TypeKind.TinyInt: scratch[0] = unchecked((byte)System.Convert.ToSByte(row[i], CultureInfo.InvariantCulture)); break;
                case TypeKind.SmallInt: BinaryPrimitives.WriteInt16LittleEndian(scratch, System.Convert.ToInt16(row[i], CultureInfo.InvariantCulture)); break;
                case TypeKind.Int: BinaryPrimitives.WriteInt32LittleEndian(scratch, System.Convert.ToInt32(row[i], CultureInfo.InvariantCulture)); break;
                case TypeKind.BigInt: BinaryPrimitives.WriteInt64LittleEndian(scratch, System.Convert.ToInt64(row[i], CultureInfo.InvariantCulture)); break;
                case TypeKind.Float: BinaryPrimitives.WriteSingleLittleEndian(scratch, System.Convert.ToSingle(row[i], CultureInfo.InvariantCulture)); break;
                default: BinaryPrimitives.WriteDoubleLittleEndian(scratch, System.Convert.ToDouble(row[i], CultureInfo.InvariantCulture)); break;
            }
            stream.Write(scratch, 0, width);
        }
        return stream.ToArray();
    }

    // ---------------------------------------------------------------- decode

    /// <summary>One output per row of the request that <paramref name="body"/> answers; a row whose values cannot be
    /// read carries a non-retryable <see cref="ModelInvocationException"/> (status 200) naming the column, type and
    /// value. <paramref name="rows"/> is how many rows the request carried.</summary>
    public IReadOnlyList<ModelOutput> Decode(byte[] body, int rows)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            switch (OutputFormat)
            {
                case "TEXT":
                {
                    var text = Encoding.UTF8.GetString(body).Trim();
                    var parts = _signature.Outputs.Count == 1 ? [text] : text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
                    return [Row(_signature.Outputs.Select((c, i) => i < parts.Length ? FromText(c, parts[i]) : throw Missing(c, "line " + (i + 1))).ToArray())];
                }
                case "CSV":
                {
                    using var csv = CsvReader.Create(new ReadOnlyMemory<byte>(body), CsvReaderOptions.Default with { HasHeader = false, AllowLineBreaksInQuotes = true, SkipEmptyLines = true });
                    var fields = csv.Read() ? Enumerable.Range(0, csv.FieldCount).Select(csv.GetString).ToArray() : [];
                    return [Row(_signature.Outputs.Select((c, i) => i < fields.Length ? FromText(c, fields[i]) : throw Missing(c, "field " + (i + 1))).ToArray())];
                }
                case "BINARY":
                    return [Row(Unpack(body))];
            }
            JsonNode? json;
            try { json = JsonNode.Parse(body); }
            catch (JsonException e) { return Fail(rows, $"The answer is not JSON as the {OutputFormat} format expects: {e.Message}"); }
            if (_rowList)
            {
                var items = (OutputFormat == "TF-SERVING" ? json?["predictions"] : json is JsonObject o && o["predictions"] is JsonArray p ? p : json) as JsonArray;
                if (items is null) return Fail(rows, OutputFormat == "TF-SERVING" ? "The answer has no 'predictions' array" : "The answer is not a JSON array with one item per row");
                if (items.Count != rows) return Fail(rows, $"The answer has {items.Count} predictions for {rows} rows");
                return items.Select(item => Guarded(() => Columns(item))).ToList();
            }
            var value = OutputFormat switch
            {
                "TRITON" => null,
                var f when f.StartsWith("JSON:", StringComparison.Ordinal) => json is JsonObject w && w.TryGetPropertyValue(f[5..], out var inner)
                    ? inner : throw new FormatException($"The answer has no '{f[5..]}' field"),
                _ => json,
            };
            return [OutputFormat == "TRITON" ? Row(TritonOutputs(json)) : Row(Columns(value))];
        }
        catch (FormatException e)
        {
            return Fail(rows, e.Message);
        }
    }

    private static ModelOutput Row(object?[] values) => new(values);

    private static ModelOutput Guarded(Func<object?[]> read)
    {
        try { return new ModelOutput(read()); }
        catch (FormatException e) { return ModelOutput.Failed(new ModelInvocationException(e.Message, 200)); }
    }

    private static List<ModelOutput> Fail(int rows, string message) =>
        Enumerable.Range(0, rows).Select(_ => ModelOutput.Failed(new ModelInvocationException(message, 200))).ToList();

    private static FormatException Missing(Column c, string where) => new($"The answer has no {where} for OUTPUT column '{c.Name}'");

    /// <summary>One row's item: an object by name, an array by position, or a single OUTPUT column's whole value.</summary>
    private object?[] Columns(JsonNode? item)
    {
        var outputs = _signature.Outputs;
        if (outputs.Count == 1)
        {
            var c = outputs[0];
            if (item is JsonObject o && o.TryGetPropertyValue(c.Name, out var named)) return [Convert(c, named)];
            if (item is JsonArray { Count: 1 } a && a[0] is JsonObject o1 && o1.TryGetPropertyValue(c.Name, out var named1)) return [Convert(c, named1)];
            return [Convert(c, item)];
        }
        return item switch
        {
            JsonObject o => outputs.Select(c => o.TryGetPropertyValue(c.Name, out var v) ? Convert(c, v) : throw Missing(c, $"field '{c.Name}'")).ToArray(),
            JsonArray { Count: 1 } a when a[0] is JsonObject or JsonArray => Columns(a[0]),
            JsonArray a => outputs.Select((c, i) => i < a.Count ? Convert(c, a[i]) : throw Missing(c, $"position {i}")).ToArray(),
            _ => throw new FormatException($"The answer {Show(item)} has one value, but OUTPUT has {outputs.Count} columns"),
        };
    }

    private object?[] TritonOutputs(JsonNode? json)
    {
        var tensors = json?["outputs"] as JsonArray ?? throw new FormatException("The answer has no 'outputs' array of tensors");
        return _signature.Outputs.Select((c, i) =>
        {
            var tensor = tensors.FirstOrDefault(t => t?["name"]?.GetValue<string>() == c.Name) ?? (i < tensors.Count ? tensors[i] : throw Missing(c, "tensor"));
            return Convert(c, tensor?["data"]);
        }).ToArray();
    }

    /// <summary>A JSON value as the column's type; a one-element array around a scalar is unwrapped.</summary>
    private static object? Convert(Column column, JsonNode? node)
    {
        if (column.Type.Kind is not (TypeKind.Array or TypeKind.Row or TypeKind.Map))
            while (node is JsonArray { Count: 1 } one) node = one[0];
        if (node is null) return null;
        var bytes = Encoding.UTF8.GetBytes(node.ToJsonString());
        try
        {
            var reader = new Utf8JsonReader(bytes);
            reader.Read();
            return JsonValueCodec.Read(ref reader, column.Type, TimeZoneInfo.Utc);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or JsonException or OverflowException)
        {
            throw new FormatException($"OUTPUT column '{column.Name}' {column.Type.WithNullable(true)} cannot hold the value {Show(node)}: {e.Message}");
        }
    }

    private static object? FromText(Column column, string text)
    {
        if (text.Length == 0 && !column.Type.IsCharacter) return null;
        try { return TextValues.Parse(text, column.Type, TimeZoneInfo.Utc); }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new FormatException($"OUTPUT column '{column.Name}' {column.Type.WithNullable(true)} cannot hold the value '{Cut(text)}': {e.Message}");
        }
    }

    private object?[] Unpack(byte[] body)
    {
        var outputs = _signature.Outputs;
        var values = new object?[outputs.Count];
        var at = 0;
        for (var i = 0; i < outputs.Count; i++)
        {
            var c = outputs[i];
            if (Width(c.Type) is not { } width)
            {
                values[i] = c.Type.Kind == TypeKind.Bytes ? body[at..] : Encoding.UTF8.GetString(body, at, body.Length - at);
                at = body.Length;
                continue;
            }
            if (at + width > body.Length) throw new FormatException($"The answer has {body.Length} bytes; OUTPUT column '{c.Name}' {c.Type.WithNullable(true)} needs bytes {at} to {at + width - 1}");
            var span = body.AsSpan(at, width);
            values[i] = c.Type.Kind switch
            {
                TypeKind.Boolean => span[0] != 0,
                TypeKind.TinyInt => unchecked((sbyte)span[0]),
                TypeKind.SmallInt => BinaryPrimitives.ReadInt16LittleEndian(span),
                TypeKind.Int => BinaryPrimitives.ReadInt32LittleEndian(span),
                TypeKind.BigInt => BinaryPrimitives.ReadInt64LittleEndian(span),
                TypeKind.Float => BinaryPrimitives.ReadSingleLittleEndian(span),
                _ => (object)BinaryPrimitives.ReadDoubleLittleEndian(span),
            };
            at += width;
        }
        return values;
    }

    private static string Show(JsonNode? node) => node is null ? "null" : Cut(node.ToJsonString());

    private static string Cut(string s) => s.Length > 80 ? s[..80] + "..." : s;
}
