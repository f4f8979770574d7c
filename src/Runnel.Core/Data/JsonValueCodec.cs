using System.Globalization;
using System.Text.Json;
using Runnel.Core.Types;

namespace Runnel.Core.Data;

/// <summary>Converts between JSON tokens and runtime values of a SQL type, as Flink's JSON format does: numbers from
/// numbers or numeric strings, timestamps from <c>yyyy-MM-dd HH:mm:ss.SSS</c> (SQL) or ISO-8601 strings, BYTES as
/// base64, ROW from objects by field name, ARRAY from arrays, MAP from objects. Also the encoding of managed tables.</summary>
public static class JsonValueCodec
{
    /// <summary>Reads the value at the reader's current token (which must be the value's first token) and leaves the
    /// reader on its last token.</summary>
    public static object? Read(ref Utf8JsonReader reader, SqlType type, TimeZoneInfo zone)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        switch (type.Kind)
        {
            case TypeKind.Char:
            case TypeKind.VarChar:
                return reader.TokenType switch
                {
                    JsonTokenType.String => reader.GetString(),
                    JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
                    JsonTokenType.True => "true",
                    JsonTokenType.False => "false",
                    _ => RawJson(ref reader),
                };
            case TypeKind.Boolean:
                return reader.TokenType switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False => false,
                    JsonTokenType.String => TextValues.ParseBool(reader.GetString()!),
                    _ => throw Mismatch(reader, type),
                };
            case TypeKind.TinyInt:
            case TypeKind.SmallInt:
            case TypeKind.Int:
            case TypeKind.BigInt:
            case TypeKind.Float:
            case TypeKind.Double:
            case TypeKind.Decimal:
                if (reader.TokenType == JsonTokenType.String) return TextValues.Parse(reader.GetString()!, type, zone);
                if (reader.TokenType != JsonTokenType.Number) throw Mismatch(reader, type);
                return type.Kind switch
                {
                    TypeKind.TinyInt => reader.TryGetSByte(out var b) ? b : throw Range(reader, type),
                    TypeKind.SmallInt => reader.TryGetInt16(out var s) ? s : throw Range(reader, type),
                    TypeKind.Int => reader.TryGetInt32(out var i) ? i : throw Range(reader, type),
                    TypeKind.BigInt => reader.TryGetInt64(out var l) ? l : throw Range(reader, type),
                    TypeKind.Float => (float)reader.GetDouble(),
                    TypeKind.Double => reader.GetDouble(),
                    _ => reader.TryGetDecimal(out var m) ? decimal.Round(m, type.Scale, MidpointRounding.AwayFromZero) : throw Range(reader, type),
                };
            case TypeKind.Date:
            case TypeKind.Time:
            case TypeKind.Timestamp:
            case TypeKind.TimestampLtz:
                if (reader.TokenType == JsonTokenType.Number && type.IsTimestamp)
                {
                    var ms = reader.GetInt64();
                    var instant = DateTimeOffset.FromUnixTimeMilliseconds(ms);
                    return type.Kind == TypeKind.TimestampLtz ? instant : instant.UtcDateTime;
                }
                if (reader.TokenType != JsonTokenType.String) throw Mismatch(reader, type);
                return TextValues.Parse(reader.GetString()!, type, zone);
            case TypeKind.Bytes:
                return reader.TokenType == JsonTokenType.String ? reader.GetBytesFromBase64() : throw Mismatch(reader, type);
            case TypeKind.Array:
            {
                if (reader.TokenType != JsonTokenType.StartArray) throw Mismatch(reader, type);
                var list = new List<object?>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    list.Add(Read(ref reader, type.Element!, zone));
                return list.ToArray();
            }
            case TypeKind.Map:
            {
                if (reader.TokenType != JsonTokenType.StartObject) throw Mismatch(reader, type);
                var pairs = new List<KeyValuePair<object?, object?>>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var key = reader.GetString()!;
                    reader.Read();
                    pairs.Add(new(type.Element!.IsCharacter ? key : TextValues.Parse(key, type.Element, zone), Read(ref reader, type.ValueType!, zone)));
                }
                return new MapValue(pairs);
            }
            case TypeKind.Row:
            {
                if (reader.TokenType != JsonTokenType.StartObject) throw Mismatch(reader, type);
                var fields = new object?[type.Fields.Count];
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var idx = -1;
                    for (var i = 0; i < type.Fields.Count; i++)
                        if (reader.ValueTextEquals(type.Fields[i].Name)) { idx = i; break; }
                    reader.Read();
                    if (idx < 0) reader.Skip();
                    else fields[idx] = Read(ref reader, type.Fields[idx].Type, zone);
                }
                return new RowValue(fields);
            }
            default:
                throw new FormatException($"type {type} is not supported by the JSON format");
        }
    }

    private static string RawJson(ref Utf8JsonReader reader)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        return doc.RootElement.GetRawText();
    }

    private static FormatException Mismatch(Utf8JsonReader reader, SqlType type) =>
        new($"expected {type.WithNullable(true)} but found JSON {reader.TokenType}");

    private static FormatException Range(Utf8JsonReader reader, SqlType type) =>
        new($"number {System.Text.Encoding.UTF8.GetString(reader.ValueSpan)} is out of range for {type.WithNullable(true)}");

    /// <summary>Writes a value: SQL timestamps as <c>yyyy-MM-dd HH:mm:ss.SSS</c> (Flink's SQL standard), or ISO-8601
    /// when <paramref name="iso8601"/>.</summary>
    public static void Write(Utf8JsonWriter writer, object? value, SqlType type, bool iso8601 = false)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); return;
            case string s: writer.WriteStringValue(s); return;
            case bool b: writer.WriteBooleanValue(b); return;
            case int i: writer.WriteNumberValue(i); return;
            case long l: writer.WriteNumberValue(l); return;
            case short sh: writer.WriteNumberValue(sh); return;
            case sbyte sb: writer.WriteNumberValue(sb); return;
            case double d when double.IsFinite(d): writer.WriteNumberValue(d); return;
            case double d: writer.WriteStringValue(d.ToString(CultureInfo.InvariantCulture)); return;
            case float f when float.IsFinite(f): writer.WriteNumberValue(f); return;
            case float f: writer.WriteStringValue(f.ToString(CultureInfo.InvariantCulture)); return;
            case decimal m: writer.WriteNumberValue(m); return;
            case DateOnly d: writer.WriteStringValue(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); return;
            case TimeOnly t: writer.WriteStringValue(t.ToString("HH:mm:ss", CultureInfo.InvariantCulture)); return;
            case DateTime dt:
                writer.WriteStringValue(iso8601 ? dt.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture) : ValueFormatter.FormatTimestamp(dt, Math.Max(3, type.Precision)));
                return;
            case DateTimeOffset dto:
                writer.WriteStringValue(iso8601 ? dto.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) : ValueFormatter.FormatTimestamp(dto.UtcDateTime, Math.Max(3, type.Precision)) + "Z");
                return;
            case byte[] bytes: writer.WriteBase64StringValue(bytes); return;
            case TimeSpan ts: writer.WriteNumberValue((long)ts.TotalMilliseconds); return;
            case object?[] arr:
                writer.WriteStartArray();
                foreach (var v in arr) Write(writer, v, type.Element ?? SqlType.String, iso8601);
                writer.WriteEndArray();
                return;
            case MapValue map:
                writer.WriteStartObject();
                foreach (var e in map.Entries)
                {
                    writer.WritePropertyName(ValueFormatter.Format(e.Key));
                    Write(writer, e.Value, type.ValueType ?? SqlType.String, iso8601);
                }
                writer.WriteEndObject();
                return;
            case RowValue row:
                writer.WriteStartObject();
                for (var i = 0; i < row.Fields.Length; i++)
                {
                    writer.WritePropertyName(i < type.Fields.Count ? type.Fields[i].Name : "f" + i);
                    Write(writer, row.Fields[i], i < type.Fields.Count ? type.Fields[i].Type : SqlType.String, iso8601);
                }
                writer.WriteEndObject();
                return;
            default:
                writer.WriteStringValue(ValueFormatter.Format(value));
                return;
        }
    }
}
