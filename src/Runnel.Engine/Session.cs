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
    public const string RuntimeMode = "execution.runtime-mode";
    public const string LocalTimeZone = "table.local-time-zone";
    public const string DmlSync = "table.dml-sync";
    public const string CheckpointInterval = "execution.checkpointing.interval";

    private readonly Dictionary<string, string> _config = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Config => _config;
    internal Dictionary<string, CatalogTable> TemporaryTables { get; } = new(StringComparer.Ordinal);
    internal Dictionary<string, CatalogView> TemporaryViews { get; } = new(StringComparer.Ordinal);

    public bool BatchMode => _config.TryGetValue(RuntimeMode, out var m) && string.Equals(m, "batch", StringComparison.OrdinalIgnoreCase);
    public bool IsDmlSync => _config.TryGetValue(DmlSync, out var v) && string.Equals(v, "true", StringComparison.OrdinalIgnoreCase);

    public TimeZoneInfo TimeZone => _config.TryGetValue(LocalTimeZone, out var z) && z != "default" ? TimeZoneInfo.FindSystemTimeZoneById(z) : TimeZoneInfo.Utc;

    public TimeSpan Checkpoint => _config.TryGetValue(CheckpointInterval, out var c) && Durations.TryParse(c, out var d) ? d : TimeSpan.FromSeconds(10);

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
        }
        _config[key] = value;
    }

    /// <summary>Session keys holding secrets (the legacy <c>sql.secrets.*</c> form); masked when listed.</summary>
    public static bool IsSecretKey(string key) => key.StartsWith("sql.secrets.", StringComparison.OrdinalIgnoreCase);

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
