using Runnel.Core.Errors;
using Runnel.Core.Options;
using Runnel.Sql.Ast;
using Runnel.Sql.Binding;

namespace Runnel.Engine;

/// <summary>
/// Session state: configuration set with <c>SET</c> (Flink's keys, plus any others, kept as strings) and
/// session-scoped TEMPORARY tables and views. Known keys are validated when set: <c>execution.runtime-mode</c>
/// (streaming | batch), <c>table.local-time-zone</c> (an IANA zone id), <c>table.dml-sync</c> (true | false),
/// <c>execution.checkpointing.interval</c> (a duration).
/// </summary>
public sealed class Session
{
    /// <summary>Flink's key for the runtime mode (<c>streaming</c> or <c>batch</c>).</summary>
    public const string RuntimeMode = "execution.runtime-mode";
    /// <summary>Flink's key for the session time zone.</summary>
    public const string LocalTimeZone = "table.local-time-zone";
    /// <summary>Flink's key that makes INSERT wait for its job.</summary>
    public const string DmlSync = "table.dml-sync";
    /// <summary>Flink's key for how often unbounded sinks commit.</summary>
    public const string CheckpointInterval = "execution.checkpointing.interval";
    /// <summary>Flink's key for how long a source split (a Kafka partition) may be quiet before watermarks advance
    /// without it. Runnel's default is 15 s (Confluent Cloud's first idleness step); Flink's, 0, never marks a split
    /// idle, and windows then wait for every partition.</summary>
    public const string SourceIdleTimeout = "table.exec.source.idle-timeout";
    /// <summary>Runnel's key naming a connection of type 'kafka' as the home of managed tables: a CREATE TABLE without
    /// a connector then creates a topic of the table's name on it, as Confluent Cloud does (unset: managed tables are
    /// files beside the catalog).</summary>
    public const string ManagedKafkaConnection = "runnel.managed-tables.kafka-connection";

    /// <summary>The connection managed tables live on, or null.</summary>
    public string? ManagedTablesOnKafka => _config.TryGetValue(ManagedKafkaConnection, out var c) && c.Length > 0 ? c : null;

    private readonly Dictionary<string, string> _config = new(StringComparer.Ordinal);

    /// <summary>The keys set with SET.</summary>
    public IReadOnlyDictionary<string, string> Config => _config;
    internal Dictionary<string, CatalogTable> TemporaryTables { get; } = new(StringComparer.Ordinal);
    internal Dictionary<string, CatalogView> TemporaryViews { get; } = new(StringComparer.Ordinal);

    /// <summary>True when <c>execution.runtime-mode</c> is batch.</summary>
    public bool BatchMode => _config.TryGetValue(RuntimeMode, out var m) && string.Equals(m, "batch", StringComparison.OrdinalIgnoreCase);
    /// <summary>True when <c>table.dml-sync</c> is true.</summary>
    public bool IsDmlSync => _config.TryGetValue(DmlSync, out var v) && string.Equals(v, "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The session time zone (UTC unless set).</summary>
    public TimeZoneInfo TimeZone => _config.TryGetValue(LocalTimeZone, out var z) && z != "default" ? TimeZoneInfo.FindSystemTimeZoneById(z) : TimeZoneInfo.Utc;

    /// <summary>The checkpoint interval (10 s unless set).</summary>
    public TimeSpan Checkpoint => _config.TryGetValue(CheckpointInterval, out var c) && Durations.TryParse(c, out var d) ? d : TimeSpan.FromSeconds(10);

    /// <summary>The source idle timeout (15 s unless set; 0: never idle).</summary>
    public TimeSpan IdleTimeout => _config.TryGetValue(SourceIdleTimeout, out var c) && Durations.TryParse(c, out var d) ? d : TimeSpan.FromSeconds(15);

    /// <summary>Sets a key; throws <see cref="OptionException"/> for a bad value of a known key.</summary>
    public void Set(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        switch (key)
        {
            case RuntimeMode when !value.Equals("streaming", StringComparison.OrdinalIgnoreCase) && !value.Equals("batch", StringComparison.OrdinalIgnoreCase):
                throw new OptionException($"Invalid value '{value}' for '{RuntimeMode}': expected 'streaming' or 'batch'");
            case LocalTimeZone when value != "default":
                try { TimeZoneInfo.FindSystemTimeZoneById(value); }
                catch (TimeZoneNotFoundException) { throw new OptionException($"Invalid time zone '{value}' for '{LocalTimeZone}': use an IANA id such as 'UTC' or 'Europe/Berlin'"); }
                break;
            case DmlSync when !bool.TryParse(value, out _):
                throw new OptionException($"Invalid value '{value}' for '{DmlSync}': expected 'true' or 'false'");
            case CheckpointInterval when !Durations.TryParse(value, out _):
                throw new OptionException($"Invalid value '{value}' for '{CheckpointInterval}': expected a duration such as '10 s'");
            case SourceIdleTimeout when !Durations.TryParse(value, out _):
                throw new OptionException($"Invalid value '{value}' for '{SourceIdleTimeout}': expected a duration such as '15 s' (0: never idle)");
        }
        _config[key] = value;
    }

    /// <summary>Session keys holding secrets (the legacy <c>sql.secrets.*</c> form); masked when listed.</summary>
    public static bool IsSecretKey(string key) => key.StartsWith("sql.secrets.", StringComparison.OrdinalIgnoreCase);

    /// <summary>Removes a key, or every key when <paramref name="key"/> is null.</summary>
    public void Reset(string? key)
    {
        if (key is null) _config.Clear();
        else _config.Remove(key);
    }

    /// <summary>The persistent catalog with this session's temporary objects in front of it.</summary>
    internal ICatalogReader Overlay(ICatalogReader persistent) => new OverlayReader(persistent, this);

    private sealed class OverlayReader(ICatalogReader inner, Session session) : ICatalogReader
    {
        public IReadOnlyList<string> TableNames => session.TemporaryTables.Keys.Concat(inner.TableNames).Distinct().ToList();
        public IReadOnlyList<string> ViewNames => session.TemporaryViews.Keys.Concat(inner.ViewNames).Distinct().ToList();

        public bool TryGetTable(string name, out CatalogTable table) =>
            session.TemporaryTables.TryGetValue(name, out table!) || (!session.TemporaryViews.ContainsKey(name) && inner.TryGetTable(name, out table));

        public bool TryGetView(string name, out CatalogView view) =>
            session.TemporaryViews.TryGetValue(name, out view!) || (!session.TemporaryTables.ContainsKey(name) && inner.TryGetView(name, out view));
    }
}
