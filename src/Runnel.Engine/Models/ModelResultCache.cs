using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Caching.Memory;
using Runnel.Models.Abstractions;

namespace Runnel.Engine.Models;

/// <summary>
/// The engine's cache of model answers, shared by every statement of one engine: an in-memory cache
/// (Microsoft.Extensions.Caching.Memory, at most <see cref="MaxEntries"/> answers, compacting the least recently used
/// 10 % when full) keyed by model, version, the version's options and the input values, plus the table of requests
/// in flight, so identical inputs being asked at the same time are sent once. Only successful answers are kept.
/// Which models use it is the model option <c>runnel.cache</c> (<see cref="IsEnabled"/>).
/// </summary>
public sealed class ModelResultCache : IDisposable
{
    private readonly MemoryCache _cache;
    private long _hits;
    private long _misses;
    private long _coalesced;

    /// <summary>A cache of at most <paramref name="maxEntries"/> answers.</summary>
    public ModelResultCache(long maxEntries = 100_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        MaxEntries = maxEntries;
        _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = maxEntries, CompactionPercentage = 0.1 });
    }

    /// <summary>How many answers the cache keeps at most.</summary>
    public long MaxEntries { get; }
    /// <summary>Rows answered from the cache.</summary>
    public long Hits => Interlocked.Read(ref _hits);
    /// <summary>Rows looked up and not found.</summary>
    public long Misses => Interlocked.Read(ref _misses);
    /// <summary>Rows that waited for an identical request already in flight instead of sending their own.</summary>
    public long Coalesced => Interlocked.Read(ref _coalesced);

    /// <summary>Requests in flight by key; the first asker completes the task, later askers await it.</summary>
    internal ConcurrentDictionary<string, Task<ModelOutput>> InFlight { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether answers of <paramref name="version"/> are cached: its <c>runnel.cache</c> option is <c>on</c>, or it is
    /// <c>auto</c> (the default) and the model is a remote one whose answer is deterministic — the embedding task, or a
    /// <c>&lt;provider&gt;.params.temperature</c> of 0. Local models are fast enough that caching costs more than it saves.
    /// </summary>
    public static bool IsEnabled(ModelVersionInfo version)
    {
        ArgumentNullException.ThrowIfNull(version);
        switch (version.Option("runnel.cache")?.ToLowerInvariant())
        {
            case "on": return true;
            case "off": return false;
        }
        if (version.Provider.Equals("local", StringComparison.OrdinalIgnoreCase)) return false;
        if (version.Task == ModelTasks.Embedding) return true;
        var temperature = version.Options.FirstOrDefault(o => o.Key.EndsWith(".params.temperature", StringComparison.OrdinalIgnoreCase)).Value;
        return temperature is not null && double.TryParse(temperature, NumberStyles.Float, CultureInfo.InvariantCulture, out var t) && t == 0;
    }

    /// <summary>Whether answers of <paramref name="version"/> are also kept across runs in the catalog directory
    /// (<see cref="PersistentModelCache"/>): its <c>runnel.cache.persist</c> option is <c>true</c>.</summary>
    public static bool IsPersisted(ModelVersionInfo version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return bool.TryParse(version.Option("runnel.cache.persist"), out var persist) && persist;
    }

    /// <summary>The cache key of one input row: SHA-256 over the model, version, options and values.</summary>
    public static string Key(ModelVersionInfo version, object?[] inputs) => Key(KeyPrefix(version), inputs);

    /// <summary>The part of every key of <paramref name="version"/> that does not depend on the input: model, version
    /// and options (compute once per statement, then <see cref="Key(byte[], object?[])"/> per row).</summary>
    public static byte[] KeyPrefix(ModelVersionInfo version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var text = new StringBuilder();
        text.Append(version.ModelName).Append('\u0001').Append(version.Version.ToString(CultureInfo.InvariantCulture)).Append('\u0001');
        foreach (var (k, v) in version.Options.OrderBy(o => o.Key, StringComparer.Ordinal)) text.Append(k).Append('=').Append(v).Append('\u0002');
        text.Append('\u0001');
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>The cache key of one input row from the version's <see cref="KeyPrefix"/>.</summary>
    public static string Key(byte[] prefix, object?[] inputs)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(prefix);
        hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(inputs));
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    /// <summary>The cached output values of <paramref name="key"/>, counting a hit or a miss.</summary>
    public bool TryGet(string key, out object?[] values)
    {
        if (_cache.TryGetValue(key, out object?[]? found) && found is not null)
        {
            Interlocked.Increment(ref _hits);
            values = found;
            return true;
        }
        Interlocked.Increment(ref _misses);
        values = [];
        return false;
    }

    /// <summary>Keeps a successful answer.</summary>
    public void Set(string key, object?[] values) => _cache.Set(key, values, new MemoryCacheEntryOptions { Size = 1 });

    internal void CountCoalesced() => Interlocked.Increment(ref _coalesced);

    /// <inheritdoc />
    public void Dispose() => _cache.Dispose();
}
