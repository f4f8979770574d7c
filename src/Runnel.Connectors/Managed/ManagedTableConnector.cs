using System.Runtime.CompilerServices;
using Runnel.Connectors.Abstractions;
using Runnel.Core.Data;
using Runnel.Core.Options;

namespace Runnel.Connectors.Managed;

/// <summary>
/// Tables created without a <c>connector</c> option (Confluent Cloud's default, where every table is a topic) are
/// stored by Runnel in a <see cref="TableLog"/> in the catalog directory. A scan reads from the earliest offset (or
/// the latest, with <c>scan.startup.mode</c>) and, unless bounded, keeps following new rows, also ones inserted by
/// another process. Accepts updates: the log keeps each row's kind.
/// </summary>
public sealed class ManagedTableConnector : IConnectorFactory
{
    /// <summary>Internal connector name of managed tables (never written in a WITH clause).</summary>
    public const string ConnectorName = "managed";
    /// <inheritdoc />
    public string Name => ConnectorName;
    /// <inheritdoc />
    public bool CanRead => true;
    /// <inheritdoc />
    public bool CanWrite => true;
    /// <inheritdoc />
    public bool AcceptsUpdates => true;

    /// <inheritdoc />
    public OptionSchema GetOptionSchema(IReadOnlyDictionary<string, string> options) => new("a managed table (no 'connector')",
    [
        new("changelog.mode", OptionType.Enum, "Confluent's table changelog mode; recorded, rows keep their kinds either way.", AllowedValues: ["append", "upsert", "retract"]),
        new("scan.startup.mode", OptionType.Enum, "Where a scan starts.", Default: "earliest-offset", AllowedValues: ["earliest-offset", "latest-offset"]),
        new("scan.bounded.mode", OptionType.Enum, "'latest-offset' makes a streaming scan stop at the end present when it starts.", Default: "unbounded", AllowedValues: ["unbounded", "latest-offset"]),
        new("value.format", OptionType.String, "Accepted from Confluent scripts; managed tables have their own storage format."),
        new("key.format", OptionType.String, "Accepted from Confluent scripts."),
        new("kafka.*", OptionType.String, "Accepted from Confluent scripts (kafka.retention.time, kafka.partitions, ...); no effect on local storage."),
    ]);

    /// <inheritdoc />
    public bool IsBounded(IReadOnlyDictionary<string, string> options) =>
        options.TryGetValue("scan.bounded.mode", out var m) && string.Equals(m, "latest-offset", StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public ISource CreateSource(TableContext context) => new Source(context, this);
    /// <inheritdoc />
    public ISink CreateSink(TableContext context) => new Sink(new TableLog(context.CatalogDirectory, context.TableName, context.PhysicalSchema), context.Counters);

    private sealed class Source(TableContext context, ManagedTableConnector connector) : ISource
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        public async IAsyncEnumerable<RowBatch> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var options = new OptionReader(context.Options, connector.GetOptionSchema(context.Options));
            var log = new TableLog(context.CatalogDirectory, context.TableName, context.PhysicalSchema);
            var start = options.GetString("scan.startup.mode") == "latest-offset" ? log.Length : 0;
            long? end = context.Bounded ? log.Length : null;
            await foreach (var (_, read) in log.ReadAsync(start, end, TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false))
            {
                var rows = read;
                context.Counters.AddRead(rows.Count);
                if (context.MetadataColumns.Count > 0)
                {
                    var width = context.PhysicalSchema.Count + context.MetadataColumns.Count;
                    rows = rows.Select(r =>
                    {
                        var v = new object?[width];
                        Array.Copy(r.Values, v, r.Values.Length);
                        return new Row(v, r.Kind);
                    }).ToList();
                }
                yield return new RowBatch(rows);
            }
        }
    }

    private sealed class Sink(TableLog log, JobCounters counters) : ISink
    {
        public async ValueTask WriteAsync(RowBatch batch, CancellationToken cancellationToken = default)
        {
            await log.AppendAsync(batch.Rows, cancellationToken).ConfigureAwait(false);
            counters.AddWritten(batch.Count);
        }

        public ValueTask CheckpointAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
        public ValueTask FinishAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
