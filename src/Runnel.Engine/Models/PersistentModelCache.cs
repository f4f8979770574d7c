using System.Buffers;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Runnel.Core.Data;
using Runnel.Core.Types;

namespace Runnel.Engine.Models;

/// <summary>
/// Model answers kept across runs: a SQLite file (<c>model-cache.db</c>) in the catalog directory, used by models
/// with <c>'runnel.cache.persist' = 'true'</c> (on top of the in-memory <see cref="ModelResultCache"/>, and only for
/// models the cache covers). Keys are the in-memory cache's (model, version, options, input values); values are the
/// OUTPUT values as JSON in the OUTPUT types. Lookups read the file; answers are written in the background, a
/// transaction every <see cref="FlushInterval"/> or <see cref="FlushBatch"/> answers, and on dispose. Deleting the
/// file empties the cache.
/// </summary>
public sealed class PersistentModelCache : IDisposable
{
    /// <summary>Longest wait before new answers are written.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>Answers written in one transaction at most.</summary>
    public const int FlushBatch = 1000;

    private readonly SqliteConnection _connection;
    private readonly object _gate = new();
    private readonly Dictionary<string, (string Model, string Value)> _pending = new(StringComparer.Ordinal);
    private readonly Timer _timer;
    private bool _disposed;

    /// <summary>Opens (or creates) the cache file at <paramref name="path"/>.</summary>
    public PersistentModelCache(string path)
    {
        Path = path;
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        using (var command = _connection.CreateCommand())
        {
            command.CommandText = "PRAGMA journal_mode = WAL; CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, model TEXT NOT NULL, value TEXT NOT NULL, created INTEGER NOT NULL);";
            command.ExecuteNonQuery();
        }
        _timer = new Timer(_ => Flush(), null, FlushInterval, FlushInterval);
    }

    /// <summary>The cache file.</summary>
    public string Path { get; }

    /// <summary>Answers in the file (written ones; pending writes not counted).</summary>
    public long Count
    {
        get
        {
            lock (_gate)
            {
                using var command = _connection.CreateCommand();
                command.CommandText = "SELECT COUNT(*) FROM answers";
                return (long)command.ExecuteScalar()!;
            }
        }
    }

    /// <summary>The stored OUTPUT values of <paramref name="key"/> read as <paramref name="types"/>, or false (also
    /// when a stored value no longer fits the types).</summary>
    public bool TryGet(string key, IReadOnlyList<SqlType> types, out object?[] values)
    {
        ArgumentNullException.ThrowIfNull(types);
        values = [];
        string? json;
        lock (_gate)
        {
            if (_disposed) return false;
            if (_pending.TryGetValue(key, out var pending)) json = pending.Value;
            else
            {
                using var command = _connection.CreateCommand();
                command.CommandText = "SELECT value FROM answers WHERE key = $key";
                command.Parameters.AddWithValue("$key", key);
                json = command.ExecuteScalar() as string;
            }
        }
        if (json is null) return false;
        try
        {
            var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json));
            reader.Read();
            var list = new object?[types.Count];
            for (var i = 0; i < types.Count; i++)
            {
                reader.Read();
                list[i] = JsonValueCodec.Read(ref reader, types[i], TimeZoneInfo.Utc);
            }
            values = list;
            return true;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Queues an answer of <paramref name="model"/> for writing.</summary>
    public void Set(string key, string model, object?[] values, IReadOnlyList<SqlType> types)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(types);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            for (var i = 0; i < values.Length; i++) JsonValueCodec.Write(writer, values[i], types[i]);
            writer.WriteEndArray();
        }
        bool full;
        lock (_gate)
        {
            if (_disposed) return;
            _pending[key] = (model, System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
            full = _pending.Count >= FlushBatch;
        }
        if (full) Flush();
    }

    /// <summary>Writes the queued answers in one transaction.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            if (_disposed || _pending.Count == 0) return;
            using var transaction = _connection.BeginTransaction();
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT OR REPLACE INTO answers (key, model, value, created) VALUES ($key, $model, $value, $created)";
            var key = command.Parameters.Add("$key", SqliteType.Text);
            var model = command.Parameters.Add("$model", SqliteType.Text);
            var value = command.Parameters.Add("$value", SqliteType.Text);
            var created = command.Parameters.Add("$created", SqliteType.Integer);
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            foreach (var (k, p) in _pending)
            {
                key.Value = k;
                model.Value = p.Model;
                value.Value = p.Value;
                created.Value = now;
                command.ExecuteNonQuery();
            }
            transaction.Commit();
            _pending.Clear();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _timer.Dispose();
        Flush();
        lock (_gate)
        {
            _disposed = true;
            _connection.Dispose();
        }
    }
}
