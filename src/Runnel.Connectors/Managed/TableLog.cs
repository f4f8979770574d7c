using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using Runnel.Core.Data;
using Runnel.Core.Errors;
using Runnel.Core.Types;

namespace Runnel.Connectors.Managed;

/// <summary>
/// The durable append-only log behind a managed table: <c>&lt;catalog dir&gt;/tables/&lt;name&gt;/log</c>. A record
/// is <c>[length u32][crc32 u32][payload]</c> (little-endian), the payload a JSON array <c>[kind, v1, v2, ..]</c>; a
/// record's offset is its byte position. Appends hold an exclusive lock on <c>log.lock</c> (so several processes can
/// insert at once), repair a torn tail left by a crash before writing, and fsync before releasing. Readers never
/// take the lock and only ever return whole records whose checksum matches, so a crash never shows a torn row.
/// </summary>
public sealed class TableLog
{
    private const int HeaderSize = 8;
    private readonly Schema _schema;
    private readonly string _logPath;
    private readonly string _lockPath;
    private long _verifiedEnd;

    /// <summary>The log of managed table <paramref name="tableName"/> in <paramref name="catalogDirectory"/>, for rows of <paramref name="schema"/>.</summary>
    public TableLog(string catalogDirectory, string tableName, Schema schema)
    {
        _schema = schema;
        Directory = DirectoryFor(catalogDirectory, tableName);
        _logPath = Path.Combine(Directory, "log");
        _lockPath = Path.Combine(Directory, "log.lock");
    }

    /// <summary>The table's data directory.</summary>
    public string Directory { get; }

    /// <summary>The data directory of a managed table (created on first write).</summary>
    public static string DirectoryFor(string catalogDirectory, string tableName)
    {
        var safe = new string(tableName.Select(c => char.IsLetterOrDigit(c) || c is '_' or '-' ? c : '_').ToArray());
        return Path.Combine(catalogDirectory, "tables", safe + "-" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(tableName)))[..8].ToLowerInvariant());
    }

    /// <summary>Current length of the log in bytes (the offset the next record will get).</summary>
    public long Length => File.Exists(_logPath) ? new FileInfo(_logPath).Length : 0;

    /// <summary>Appends rows durably (fsync) under the table's write lock, first repairing a torn tail.</summary>
    public async Task AppendAsync(IReadOnlyList<Row> rows, CancellationToken cancellationToken = default)
    {
        if (rows.Count == 0) return;
        var buffer = new ArrayBufferWriter<byte>(rows.Count * 64);
        foreach (var row in rows) Encode(row, buffer);
        System.IO.Directory.CreateDirectory(Directory);
        await using var lockFile = await AcquireLockAsync(cancellationToken).ConfigureAwait(false);
        await using var log = new FileStream(_logPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
        var end = ValidEnd(log);
        if (end < log.Length) log.SetLength(end);
        log.Position = end;
        await log.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await log.FlushAsync(cancellationToken).ConfigureAwait(false);
        log.Flush(flushToDisk: true);
        _verifiedEnd = log.Length;
    }

    private async Task<FileStream> AcquireLockAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                return new FileStream(_lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(5, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Offset after the last whole, valid record (scanning only what this process has not verified yet).</summary>
    private long ValidEnd(FileStream log)
    {
        var pos = _verifiedEnd <= log.Length ? _verifiedEnd : 0;
        var header = new byte[HeaderSize];
        while (pos + HeaderSize <= log.Length)
        {
            log.Position = pos;
            log.ReadExactly(header);
            var len = BinaryPrimitives.ReadUInt32LittleEndian(header);
            if (len > int.MaxValue || pos + HeaderSize + len > log.Length) break;
            var payload = new byte[len];
            log.ReadExactly(payload);
            if (Crc32.Compute(payload) != BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4))) break;
            pos += HeaderSize + len;
        }
        return pos;
    }

    private void Encode(Row row, ArrayBufferWriter<byte> output)
    {
        var payload = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(payload))
        {
            w.WriteStartArray();
            w.WriteNumberValue((int)row.Kind);
            for (var i = 0; i < _schema.Count; i++) JsonValueCodec.Write(w, row.Values[i], _schema[i].Type, iso8601: true);
            w.WriteEndArray();
        }
        var header = output.GetSpan(HeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)payload.WrittenCount);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Crc32.Compute(payload.WrittenSpan));
        output.Advance(HeaderSize);
        output.Write(payload.WrittenSpan);
    }

    /// <summary>
    /// Reads whole records from <paramref name="offset"/>. Stops at <paramref name="endOffset"/> when given (a bounded
    /// snapshot) and otherwise waits for new records, polling every <paramref name="pollInterval"/>.
    /// </summary>
    public async IAsyncEnumerable<(long Offset, IReadOnlyList<Row> Rows)> ReadAsync(long offset, long? endOffset, TimeSpan pollInterval,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var header = new byte[HeaderSize];
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rows = new List<Row>();
            if (File.Exists(_logPath))
            {
                await using var log = new FileStream(_logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
                var limit = Math.Min(log.Length, endOffset ?? long.MaxValue);
                while (offset + HeaderSize <= limit && rows.Count < 4096)
                {
                    log.Position = offset;
                    log.ReadExactly(header);
                    var len = BinaryPrimitives.ReadUInt32LittleEndian(header);
                    if (len > int.MaxValue || offset + HeaderSize + len > limit) break;
                    var payload = new byte[len];
                    log.ReadExactly(payload);
                    // A checksum mismatch at the tail is a record still being written (or torn by a crash and about
                    // to be repaired by the next writer): wait for it rather than return it.
                    if (Crc32.Compute(payload) != BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4))) break;
                    rows.Add(Decode(payload, offset));
                    offset += HeaderSize + len;
                }
            }
            if (rows.Count > 0)
            {
                yield return (offset, rows);
                continue;
            }
            if (endOffset is not null) yield break;
            await Task.Delay(pollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private Row Decode(byte[] payload, long offset)
    {
        var reader = new Utf8JsonReader(payload);
        try
        {
            reader.Read();
            reader.Read();
            var kind = (RowKind)reader.GetInt32();
            var values = new object?[_schema.Count];
            for (var i = 0; i < _schema.Count; i++)
            {
                if (!reader.Read() || reader.TokenType == JsonTokenType.EndArray) break;
                values[i] = JsonValueCodec.Read(ref reader, _schema[i].Type, TimeZoneInfo.Utc);
            }
            return new Row(values, kind);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new DataFormatException(_logPath, offset, $"managed table record does not match the table schema: {e.Message}");
        }
    }

    /// <summary>Deletes the table's data (DROP TABLE of a managed table).</summary>
    public static void Delete(string catalogDirectory, string tableName)
    {
        var dir = DirectoryFor(catalogDirectory, tableName);
        if (System.IO.Directory.Exists(dir)) System.IO.Directory.Delete(dir, recursive: true);
    }
}
