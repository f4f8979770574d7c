using System.Buffers;
using System.Runtime.CompilerServices;
using Confluent.Kafka;
using Runnel.Connectors.Abstractions;
using Runnel.Connectors.Formats;
using Runnel.Core.Data;
using Runnel.Core.Errors;
using Runnel.Core.Options;

namespace Runnel.Connectors.Kafka;

/// <summary>
/// Flink's <c>kafka</c> and <c>upsert-kafka</c> connectors: a topic as a dynamic table whose message values (and, with
/// <c>key.format</c>, keys) are rows in a format (json, csv, raw). Options keep Flink's names and meanings:
/// <c>topic</c> (';'-separated for several) or <c>topic-pattern</c>, <c>properties.bootstrap.servers</c> (or
/// <c>kafka.connection</c>), <c>properties.group.id</c>, any other <c>properties.*</c> passed to librdkafka as is
/// (security, SASL); <c>scan.startup.mode</c> (<c>group-offsets</c> — the default — <c>earliest-offset</c>,
/// <c>latest-offset</c>, <c>timestamp</c>, <c>specific-offsets</c>); <c>scan.bounded.mode</c> (<c>unbounded</c>,
/// <c>latest-offset</c>, <c>group-offsets</c>, <c>timestamp</c>, <c>specific-offsets</c>; the end offsets are
/// exclusive, as in Flink); <c>scan.topic-partition-discovery.interval</c>; <c>key.format</c>, <c>key.fields</c>,
/// <c>key.fields-prefix</c>, <c>value.fields-include</c>; <c>sink.partitioner</c> (<c>default</c>: murmur2 of the key
/// as the Java client, key-less messages one partition per batch, <c>fixed</c>: partition 0, <c>round-robin</c>: key-less messages cycle over the partitions);
/// <c>sink.delivery-guarantee</c> (<c>at-least-once</c> with the idempotent producer, or <c>none</c>; <c>exactly-once</c>
/// is refused). Metadata columns (<c>METADATA FROM</c>): <c>topic</c>, <c>partition</c>, <c>offset</c>,
/// <c>timestamp</c> and <c>headers</c> (both writable), <c>timestamp-type</c>, <c>leader-epoch</c>.
/// Sources commit offsets to their group after completed checkpoints (see <see cref="Source"/>); sinks wait for every
/// delivery at checkpoints and at the end (at-least-once).
/// </summary>
public sealed class KafkaConnector(bool upsert = false) : IConnectorFactory
{
    /// <summary>True for <c>upsert-kafka</c>.</summary>
    public bool Upsert { get; } = upsert;

    /// <inheritdoc />
    public string Name => Upsert ? "upsert-kafka" : "kafka";
    /// <inheritdoc />
    public bool CanRead => true;
    /// <inheritdoc />
    public bool CanWrite => true;
    /// <inheritdoc />
    public bool AcceptsUpdates => Upsert;

    private static readonly OptionDef[] Own =
    [
        new("connector", OptionType.String, "kafka"),
        new("topic", OptionType.String, "The topic read or written; a source may read several, separated by ';'."),
        new("topic-pattern", OptionType.String, "A source reads every topic whose whole name matches this regular expression (instead of 'topic')."),
        new("properties.bootstrap.servers", OptionType.String, "Kafka brokers, host:port[,host:port] (or from 'kafka.connection')."),
        new("kafka.connection", OptionType.String, "A connection of type 'kafka' (CREATE CONNECTION): its endpoint is the bootstrap servers, its username and password the SASL credentials."),
        new("properties.group.id", OptionType.String, "The consumer group (default: a group of its own per scan)."),
        new("properties.*", OptionType.String, "Client properties passed to librdkafka as they are (security.protocol, sasl.*, ...)."),
        new("format", OptionType.Enum, "Value format (same as value.format).", AllowedValues: ["json", "csv", "raw"]),
        new("value.format", OptionType.Enum, "Value format.", AllowedValues: ["json", "csv", "raw"]),
        new("key.format", OptionType.Enum, "Key format; with key.fields, those columns are read from and written to the message key.", AllowedValues: ["json", "csv", "raw"]),
        new("key.fields", OptionType.String, "Physical columns that make the key, separated by ';' (Flink's separator)."),
        new("key.fields-prefix", OptionType.String, "A prefix of the key columns' names that the key format leaves out ('k_id' is 'id' in the key); needs value.fields-include = EXCEPT_KEY."),
        new("value.fields-include", OptionType.Enum, "ALL (default): the value holds every physical column; EXCEPT_KEY: the key columns only in the key.", Default: "ALL", AllowedValues: ["ALL", "EXCEPT_KEY"]),
        new("scan.startup.mode", OptionType.Enum, "Where a scan starts.", Default: "group-offsets", AllowedValues: ["earliest-offset", "latest-offset", "group-offsets", "timestamp", "specific-offsets"]),
        new("scan.startup.timestamp-millis", OptionType.String, "With 'timestamp': start each partition at its first message at or after this time (milliseconds since the epoch)."),
        new("scan.startup.specific-offsets", OptionType.String, "With 'specific-offsets': 'partition:0,offset:42;partition:1,offset:300' (other partitions start at the earliest offset)."),
        new("scan.bounded.mode", OptionType.Enum, "Where a scan stops: unbounded, or at each partition's end offset (exclusive) by latest-offset (the end when the scan starts), group-offsets (the group's committed offsets), timestamp or specific-offsets.", Default: "unbounded", AllowedValues: ["unbounded", "latest-offset", "group-offsets", "timestamp", "specific-offsets"]),
        new("scan.bounded.timestamp-millis", OptionType.Long, "With scan.bounded.mode 'timestamp': stop each partition before its first message at or after this time (milliseconds since the epoch)."),
        new("scan.bounded.specific-offsets", OptionType.String, "With scan.bounded.mode 'specific-offsets': 'partition:0,offset:42;partition:1,offset:300', each offset exclusive (partitions not named are not read)."),
        new("scan.topic-partition-discovery.interval", OptionType.Duration, "How often an unbounded scan looks for new partitions and (with topic-pattern) new topics, read from their earliest offset; 0 turns it off.", Default: "5 min"),
        new("scan.watermark.idle-timeout", OptionType.Duration, "How long a partition may send nothing before the table's watermark advances without it (default: the session's table.exec.source.idle-timeout, 15 s; 0: never)."),
        new("scan.parallelism", OptionType.Int, "Accepted for Flink scripts: a Runnel worker runs one instance of each source; scale out by running more workers in one consumer group."),
        new("sink.parallelism", OptionType.Int, "Accepted for Flink scripts: a Runnel worker runs one instance of each sink."),
        new("sink.delivery-guarantee", OptionType.Enum, "at-least-once (idempotent producer, every delivery waited for at checkpoints) or none; exactly-once is not offered.", Default: "at-least-once", AllowedValues: ["at-least-once", "none", "exactly-once"]),
        new("sink.semantic", OptionType.Enum, "Flink's older name of sink.delivery-guarantee (used when that is not set).", AllowedValues: ["at-least-once", "none", "exactly-once"]),
        new("sink.transactional-id-prefix", OptionType.String, "Flink's prefix for exactly-once transactional ids; accepted, unused (exactly-once is not offered)."),
        new("sink.partitioner", OptionType.Enum, "default (murmur2 of the key, as the Java client; key-less messages stick to one partition per batch), fixed (every message to partition 0, as Flink's for one sink instance) or round-robin (key-less messages cycle over the partitions). Flink's custom partitioner classes are Java and cannot run here.", Default: "default", AllowedValues: ["default", "fixed", "round-robin"]),
    ];

    /// <summary>upsert-kafka: the key is the PRIMARY KEY, so no key.fields; it always reads from the earliest offset.</summary>
    private static readonly OptionDef[] UpsertOwn =
    [
        .. Own.Where(o => o.Key is not ("connector" or "key.fields" or "topic-pattern" or "format" or "key.format" or "value.format" or "sink.partitioner")
            && !o.Key.StartsWith("scan.startup.", StringComparison.Ordinal)),
        new("connector", OptionType.String, "upsert-kafka"),
        new("key.format", OptionType.Enum, "Format of the message key, which holds the PRIMARY KEY columns.", Required: true, AllowedValues: ["json", "csv", "raw"]),
        new("value.format", OptionType.Enum, "Format of the message value.", Required: true, AllowedValues: ["json", "csv", "raw"]),
        new("sink.buffer-flush.max-rows", OptionType.Int, "With sink.buffer-flush.interval: buffer up to this many keys and write only each key's last change (0: off).", Default: "0"),
        new("sink.buffer-flush.interval", OptionType.Duration, "With sink.buffer-flush.max-rows: write the buffered keys at least this often (0: off).", Default: "0"),
    ];

    /// <inheritdoc />
    public OptionSchema GetOptionSchema(IReadOnlyDictionary<string, string> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var name = options.TryGetValue("value.format", out var v) ? v : options.TryGetValue("format", out var f) ? f : null;
        var format = name is not null && FormatRegistry.TryGet(name, out var ff) ? ff.Options : [];
        var key = options.TryGetValue("key.format", out var k) && FormatRegistry.TryGet(k, out var kf) && !string.Equals(k, name, StringComparison.OrdinalIgnoreCase) ? kf.Options : [];
        return new OptionSchema($"connector '{Name}'", (Upsert ? UpsertOwn : Own).Concat(format).Concat(key));
    }

    /// <inheritdoc />
    public bool IsBounded(IReadOnlyDictionary<string, string> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.TryGetValue("scan.bounded.mode", out var mode) && !mode.Equals("unbounded", StringComparison.OrdinalIgnoreCase);
    }

    /// <inheritdoc />
    public ISource CreateSource(TableContext context) => new Source(context, Read(context));

    /// <inheritdoc />
    public ISink CreateSink(TableContext context) => new Sink(context, Read(context));

    /// <summary>Which physical columns travel in the key and which in the value, and their codecs' formats.</summary>
    /// <param name="KeyPrefix"><c>key.fields-prefix</c>: left out of the key columns' names in the key format.</param>
    private sealed record Layout(int[] KeyColumns, int[] ValueColumns, IFormatFactory? KeyFormat, string KeyPrefix)
    {
        public static Layout Of(TableContext context, OptionReader options, bool upsert)
        {
            var schema = context.PhysicalSchema;
            if (upsert && context.PrimaryKey is not { Count: > 0 })
                throw new OptionException($"Table '{context.TableName}': 'upsert-kafka' tables require a PRIMARY KEY ... NOT ENFORCED (it is the message key)");
            var keyFields = upsert ? string.Join(';', context.PrimaryKey!) : options.GetString("key.fields");
            var keyFormat = options.GetString("key.format");
            if (keyFields is null != (keyFormat is null))
                throw new OptionException($"Table '{context.TableName}': 'key.fields' and 'key.format' go together");
            var keys = keyFields is null ? [] : keyFields.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(f =>
                schema.IndexOf(f) is var i and >= 0 ? i : throw new OptionException($"Table '{context.TableName}': key field '{f}' is not a physical column. Columns: {string.Join(", ", schema.Names)}")).ToArray();
            var exceptKey = string.Equals(options.GetString("value.fields-include"), "EXCEPT_KEY", StringComparison.OrdinalIgnoreCase);
            var values = Enumerable.Range(0, schema.Count).Where(c => !exceptKey || !keys.Contains(c)).ToArray();
            var prefix = options.GetString("key.fields-prefix") ?? "";
            if (prefix.Length > 0)
            {
                // Flink's rules: the prefix only tells key columns from value columns, so the value must not hold them.
                if (!exceptKey)
                    throw new OptionException($"Table '{context.TableName}': 'key.fields-prefix' needs 'value.fields-include' = 'EXCEPT_KEY'");
                foreach (var k in keys)
                    if (!schema[k].Name.StartsWith(prefix, StringComparison.Ordinal) || schema[k].Name.Length == prefix.Length)
                        throw new OptionException($"Table '{context.TableName}': key column '{schema[k].Name}' does not start with 'key.fields-prefix' '{prefix}'");
            }
            return new Layout(keys, values, keyFormat is null ? null : FormatRegistry.Get(keyFormat), prefix);
        }

        /// <summary>The key format's schema: the key columns without <see cref="KeyPrefix"/>.</summary>
        public Core.Types.Schema KeySchema(Core.Types.Schema schema) =>
            new([.. KeyColumns.Select(c => schema[c] with { Name = schema[c].Name[KeyPrefix.Length..] })]);

        public static Core.Types.Schema Sub(Core.Types.Schema schema, int[] columns) => new([.. columns.Select(c => schema[c])]);
    }

    /// <summary>What a source or sink of one table is built from: its options, value format, topic and client properties.</summary>
    private sealed record Setup(OptionReader Options, IFormatFactory Format, string? Topic, Dictionary<string, string> Properties, bool Upsert);

    private Setup Read(TableContext context)
    {
        KafkaNative.EnsureResolver();
        var options = new OptionReader(context.Options, GetOptionSchema(context.Options));
        var formatName = options.GetString("value.format") ?? options.GetString("format")
            ?? throw new OptionException($"Table '{context.TableName}': the kafka connector needs 'value.format' (or 'format')");
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        if (options.GetString("kafka.connection") is { } connectionName)
        {
            var connection = context.Connections?.Invoke(connectionName)
                ?? throw new OptionException($"Table '{context.TableName}': connection '{connectionName}' cannot be looked up here");
            if (!connection.Type.Equals("kafka", StringComparison.OrdinalIgnoreCase))
                throw new OptionException($"Table '{context.TableName}': connection '{connectionName}' is of type '{connection.Type}', not 'kafka'");
            foreach (var (key, value) in KafkaTopics.ClientProperties(connection)) properties[key] = value;
        }
        // The table's own properties.* win over the connection's.
        foreach (var (key, value) in context.Options.Where(kv => kv.Key.StartsWith("properties.", StringComparison.OrdinalIgnoreCase)))
            properties[key["properties.".Length..]] = value;
        if (!properties.ContainsKey("bootstrap.servers"))
            throw new OptionException($"Table '{context.TableName}': the {Name} connector needs 'properties.bootstrap.servers' or 'kafka.connection'");
        var topic = options.GetString("topic");
        var pattern = options.GetString("topic-pattern");
        if (topic is null == (pattern is null))
            throw new OptionException($"Table '{context.TableName}': the kafka connector needs exactly one of 'topic' and 'topic-pattern'");
        if (pattern is not null)
            try { _ = new System.Text.RegularExpressions.Regex(pattern); }
            catch (ArgumentException e) { throw new OptionException($"Table '{context.TableName}': 'topic-pattern' is not a valid regular expression: {e.Message}"); }
        return new Setup(options, FormatRegistry.Get(formatName), topic, properties, Upsert);
    }

    private static T Configure<T>(T config, Dictionary<string, string> properties) where T : ClientConfig
    {
        foreach (var (key, value) in properties) config.Set(key, value);
        return config;
    }

    /// <summary>
    /// Reads the topic on a poll thread of its own, so the consumer keeps polling (heartbeats, rebalances,
    /// <c>max.poll.interval.ms</c>) however slow the job downstream is: when the job's buffer is full the poll thread
    /// pauses the assigned partitions and resumes them when there is room again. Two ways to read:
    /// <list type="bullet">
    /// <item>Consumer group (<c>properties.group.id</c> set, <c>scan.startup.mode</c> = <c>group-offsets</c>, unbounded):
    /// the source subscribes, so every worker running the statement with that group shares the topic's partitions
    /// (cooperative-sticky assignment unless <c>properties.partition.assignment.strategy</c> says otherwise).
    /// Partitions start at the group's committed offsets, else at <c>properties.auto.offset.reset</c> (earliest).</item>
    /// <item>Otherwise the source assigns itself every partition at the startup mode's offsets, as Flink does.</item>
    /// </list>
    /// Offsets are committed to the group (when one is named) only when a checkpoint after them completes — every row
    /// read before the barrier is acknowledged by the sinks — so a crash re-reads at most what came after the last
    /// completed checkpoint (at-least-once). When partitions are revoked, the source asks for a checkpoint and waits
    /// for it up to <see cref="RevokeTimeout"/> so what is done is committed; rows still in flight after that are
    /// abandoned to the new owner.
    /// </summary>
    private sealed class Source(TableContext context, Setup setup) : ICommittingSource
    {
        private const int BatchSize = 1024;
        /// <summary>Rows read ahead of the job (handed out, not yet taken) before the source stops consuming.</summary>
        private const int Buffered = 4 * BatchSize;
        /// <summary>How long the source waits, not consuming, for the job to take rows before it pauses the partitions.
        /// Pausing throws away what librdkafka fetched ahead (it fetches again on resume), so a job that is only
        /// briefly behind is waited for; the wait is short enough for rebalance callbacks, which need a poll.</summary>
        private static readonly TimeSpan StallBeforePause = TimeSpan.FromMilliseconds(500);
        private long _bufferedRows;
        private readonly SemaphoreSlim _taken = new(0);
        private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(10);
        /// <summary>How long a revocation waits for the checkpoint that commits the revoked partitions' finished rows.</summary>
        public static readonly TimeSpan RevokeTimeout = TimeSpan.FromSeconds(2);

        private readonly System.Threading.Channels.Channel<RowBatch> _buffer = System.Threading.Channels.Channel.CreateUnbounded<RowBatch>(
            new System.Threading.Channels.UnboundedChannelOptions { SingleWriter = true }); // not SingleReader: that channel has no Count
        private readonly System.Collections.Concurrent.ConcurrentQueue<Dictionary<TopicPartition, long>> _commits = new();
        private readonly CancellationTokenSource _stop = new();
        private Task? _poller;
        // The partitions this source hands out rows of, each with the epoch of its current assignment: a batch of a
        // partition that was revoked (or revoked and assigned again) since it was read is stale.
        private readonly System.Collections.Concurrent.ConcurrentDictionary<TopicPartition, int> _epochs = new();
        private int _lastEpoch;
        private volatile bool _quiesced;

        /// <summary>Where one batch leaves its partition: the next offset to read, under the assignment epoch it was read in.</summary>
        private sealed record BatchPosition(TopicPartition Partition, int Epoch, long Next);

        /// <inheritdoc />
        public object Advance(object? position, object batchPosition)
        {
            var batch = (BatchPosition)batchPosition;
            var offsets = position is null ? [] : new Dictionary<TopicPartition, long>((Dictionary<TopicPartition, long>)position);
            if (!offsets.TryGetValue(batch.Partition, out var at) || batch.Next > at) offsets[batch.Partition] = batch.Next;
            return offsets;
        }

        /// <inheritdoc />
        public bool IsStale(object batchPosition)
        {
            var batch = (BatchPosition)batchPosition;
            return !_epochs.TryGetValue(batch.Partition, out var epoch) || epoch != batch.Epoch;
        }

        /// <inheritdoc />
        public void Commit(object position) => _commits.Enqueue((Dictionary<TopicPartition, long>)position);

        /// <inheritdoc />
        public void Quiesce()
        {
            _quiesced = true;
            _epochs.Clear();
        }

        private void Own(TopicPartition tp) => _epochs[tp] = Interlocked.Increment(ref _lastEpoch);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            if (_poller is not null)
                try { await _poller.ConfigureAwait(false); } catch (Exception) { /* reported through ReadAsync */ }
            _stop.Dispose();
            _taken.Dispose();
        }

        public async IAsyncEnumerable<RowBatch> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            _poller = Task.Factory.StartNew(Poll, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            using var link = cancellationToken.Register(() => _stop.Cancel());
            await foreach (var batch in _buffer.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (Interlocked.Add(ref _bufferedRows, -batch.Count) < Buffered && _taken.CurrentCount == 0) _taken.Release();
                yield return batch;
            }
        }

        private void Poll()
        {
            try
            {
                Run();
                _buffer.Writer.TryComplete();
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                _buffer.Writer.TryComplete();
            }
            catch (Exception e)
            {
                _buffer.Writer.TryComplete(e);
            }
        }

        private void Run()
        {
            var (options, format, topicOption, properties, upsert) = setup;
            // upsert-kafka reads the whole changelog, from the earliest offset (Flink's behaviour).
            var startup = upsert ? "earliest-offset" : (options.GetString("scan.startup.mode") ?? "group-offsets").ToLowerInvariant();
            // A batch-mode statement reads an unbounded table up to where its partitions end when it starts.
            var boundedMode = (options.GetString("scan.bounded.mode") ?? "unbounded").ToLowerInvariant();
            if (boundedMode == "unbounded" && context.Bounded) boundedMode = "latest-offset";
            var bounded = boundedMode != "unbounded";
            var namedGroup = properties.ContainsKey("group.id");
            if (boundedMode == "group-offsets" && !namedGroup)
                throw new OptionException($"Table '{context.TableName}': scan.bounded.mode 'group-offsets' needs 'properties.group.id' (the group whose committed offsets end the scan)");
            var group = namedGroup && startup == "group-offsets" && !bounded;
            var discovery = options.GetDuration("scan.topic-partition-discovery.interval") is { } d && d > TimeSpan.Zero && !bounded ? d : (TimeSpan?)null;
            var config = Configure(new ConsumerConfig
            {
                GroupId = "runnel-" + Guid.NewGuid().ToString("N"),
                // librdkafka commits the offsets this source stores (never on its own: no auto offset store), on
                // its timer, when partitions are revoked and when the consumer closes — the commit path that knows
                // when the group is rebalancing. Offsets are stored only after a checkpoint completes.
                EnableAutoCommit = namedGroup,
                EnableAutoOffsetStore = false,
                AutoCommitIntervalMs = (int)Math.Clamp(context.CheckpointInterval.TotalMilliseconds, 100, 60_000),
                AutoOffsetReset = startup == "latest-offset" ? AutoOffsetReset.Latest : AutoOffsetReset.Earliest,
                PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
                // Small fetches per partition (64 KiB, not 1 MiB) interleave the partitions in what the job reads, so a
                // slow model stage works on every partition at once instead of one partition's megabyte at a time.
                MaxPartitionFetchBytes = 64 * 1024,
                // A bounded scan learns that a partition has nothing more up to its end (a transaction marker or a
                // compacted gap can sit where the last message would be).
                EnablePartitionEof = bounded,
                // A consumer group finds new partitions and topics by refreshing its metadata.
                TopicMetadataRefreshIntervalMs = group && discovery is { } every ? (int)Math.Min(every.TotalMilliseconds, int.MaxValue) : null,
            }, properties);
            var layout = Layout.Of(context, options, upsert);
            var decoder = format.CreateDecoder(Layout.Sub(context.PhysicalSchema, layout.ValueColumns), options, null, context.TimeZone);
            var keyDecoder = layout.KeyFormat?.CreateDecoder(layout.KeySchema(context.PhysicalSchema), options, null, context.TimeZone);
            var skip = format.IgnoreParseErrors(options);
            var valueBuffer = new object?[layout.ValueColumns.Length];
            var keyBuffer = new object?[layout.KeyColumns.Length];
            var pattern = options.GetString("topic-pattern") is { } p ? new System.Text.RegularExpressions.Regex("^(?:" + p + ")$") : null;
            var topics = topicOption?.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [];

            // Where each partition stands: the next offset to read. Commits are filtered by what is assigned now and
            // never go below where this consumer began reading a partition (a stale position after a reassignment).
            var next = new Dictionary<TopicPartition, long>();
            // Rows read and not yet handed out, by partition (a batch holds one partition's rows).
            var pending = new Dictionary<TopicPartition, List<Row>>();
            var pendingCount = 0;
            var began = new Dictionary<TopicPartition, long>();
            var assigned = new HashSet<TopicPartition>();
            var assignmentChanged = false;

            // Stores the offsets of the latest completed checkpoint for librdkafka to commit (assigned partitions only,
            // never below where this consumer began reading one).
            void CommitPending(IConsumer<byte[]?, byte[]?> consumer)
            {
                Dictionary<TopicPartition, long>? latest = null;
                while (_commits.TryDequeue(out var position)) latest = position;
                if (latest is null || !namedGroup) return;
                var offsets = latest.Where(kv => assigned.Contains(kv.Key) && kv.Value >= began.GetValueOrDefault(kv.Key, long.MaxValue))
                    .Select(kv => new TopicPartitionOffset(kv.Key, kv.Value)).ToList();
                if (offsets.Count == 0) return;
                try
                {
                    foreach (var offset in offsets) consumer.StoreOffset(offset);
                }
                catch (KafkaException e)
                {
                    // A partition left between the check and the store: its new owner reads from the last commit.
                    context.Counters.AddWarning($"Table '{context.TableName}' (kafka): storing offsets failed: {e.Error.Reason}");
                }
            }

            var builder = new ConsumerBuilder<byte[]?, byte[]?>(config);
            builder.SetOffsetsCommittedHandler((_, committed) =>
            {
                if (committed.Error.IsError)
                    context.Counters.AddWarning($"Table '{context.TableName}' (kafka): committing offsets failed: {committed.Error.Reason} (the next commit covers them)");
                else if (committed.Offsets.Any(o => !o.Error.IsError))
                    context.Counters.AddSourceCommit();
            });
            if (group)
            {
                // Action handlers: the Func overloads make Confluent.Kafka 1.9 call Assign(), which a cooperative group refuses.
                builder.SetPartitionsAssignedHandler((Action<IConsumer<byte[]?, byte[]?>, List<TopicPartition>>)((c, added) =>
                {
                    foreach (var tp in added)
                    {
                        assigned.Add(tp);
                        if (!_quiesced) Own(tp);
                        Announce(tp);
                    }
                    assignmentChanged = true;
                }));
                builder.SetPartitionsRevokedHandler((Action<IConsumer<byte[]?, byte[]?>, List<TopicPartitionOffset>>)((c, revoked) =>
                {
                    // Hand out nothing more of the partitions leaving (batches already handed out but not yet passed on
                    // by the scan become stale), then commit what was passed on: a checkpoint now, waited for a bounded
                    // time. (Not when the job is stopping: its sinks take no more barriers.)
                    foreach (var r in revoked) _epochs.TryRemove(r.TopicPartition, out _);
                    if (!_stop.IsCancellationRequested && revoked.Any(r => next.ContainsKey(r.TopicPartition)) && context.RequestCheckpoint is { } request)
                    {
                        if (!request(RevokeTimeout).GetAwaiter().GetResult())
                            context.Counters.AddWarning($"Table '{context.TableName}' (kafka): partitions were revoked before their rows were done; the new owner reads them again");
                        CommitPending(c);
                    }
                    foreach (var r in revoked) Forget(r.TopicPartition);
                }));
                builder.SetPartitionsLostHandler((Action<IConsumer<byte[]?, byte[]?>, List<TopicPartitionOffset>>)((c, lost) =>
                {
                    foreach (var l in lost)
                    {
                        _epochs.TryRemove(l.TopicPartition, out _);
                        Forget(l.TopicPartition);
                    }
                }));
            }
            // Tells the scan a partition is read here from now on (it holds the watermark back until it sends rows or goes
            // idle), or no more.
            void Announce(TopicPartition tp, bool ended = false) => _buffer.Writer.TryWrite(new RowBatch([]) { Split = tp, SplitEnded = ended });
            void Forget(TopicPartition tp)
            {
                Announce(tp, ended: true);
                assigned.Remove(tp);
                next.Remove(tp);
                began.Remove(tp);
                if (pending.Remove(tp, out var dropped)) pendingCount -= dropped.Count;
                assignmentChanged = true;
            }

            var finished = new HashSet<TopicPartition>(); // bounded: partitions read to their end, paused for good
            using var consumer = builder.Build();
            Dictionary<TopicPartition, long> ends = [];
            // A group with topic-pattern subscribes to the topics the pattern matches now, matched here (a .NET regular
            // expression, as Java's: librdkafka's own are POSIX), and again on every partition discovery.
            List<string> subscribed = [];
            void Subscribe(IEnumerable<string> names)
            {
                var list = names.Distinct().Order(StringComparer.Ordinal).ToList();
                if (list.SequenceEqual(subscribed)) return;
                subscribed = list;
                if (list.Count > 0) consumer.Subscribe(list);
                else consumer.Unsubscribe();
            }
            if (group)
            {
                if (pattern is null) consumer.Subscribe(topics);
                else Subscribe(Partitions(properties, topics, pattern).Select(tp => tp.Topic));
            }
            else
            {
                var assignment = StartOffsets(consumer, Partitions(properties, topics, pattern), startup, boundedMode, options, ends);
                // A bounded scan with nothing to read is done; an unbounded one waits (and finds the partitions that come).
                if (assignment.Count == 0 && bounded) return;
                foreach (var tpo in assignment)
                {
                    assigned.Add(tpo.TopicPartition);
                    Own(tpo.TopicPartition);
                    Announce(tpo.TopicPartition);
                }
                consumer.Assign(assignment);
            }

            // A bounded scan's partition that reached its end offset: paused for good.
            void Finish(TopicPartition tp)
            {
                consumer.Pause([tp]);
                ends.Remove(tp);
                finished.Add(tp);
                Flush(tp);
                Announce(tp, ended: true);
            }

            // Partition discovery of a scan that assigns itself its partitions: partitions and matching topics that
            // appear later are read from their earliest offset, as in Flink. A group finds new partitions through
            // librdkafka's metadata refresh, and new topics of its pattern here.
            var nextDiscovery = discovery is { } first ? DateTime.UtcNow + first : DateTime.MaxValue;
            Task<List<TopicPartition>>? discovering = null;
            void Discover()
            {
                if (discovering is null)
                {
                    if (DateTime.UtcNow >= nextDiscovery) discovering = Task.Run(() => Partitions(properties, topics, pattern));
                    return;
                }
                if (!discovering.IsCompleted) return;
                if (discovering.IsCompletedSuccessfully && group) Subscribe(discovering.Result.Select(tp => tp.Topic));
                else if (discovering.IsCompletedSuccessfully)
                {
                    var added = discovering.Result.Where(tp => !assigned.Contains(tp)).ToList();
                    if (added.Count > 0)
                    {
                        foreach (var tp in added)
                        {
                            assigned.Add(tp);
                            Own(tp);
                            Announce(tp);
                        }
                        consumer.IncrementalAssign(added.Select(tp => new TopicPartitionOffset(tp, Offset.Beginning)));
                        assignmentChanged = true;
                    }
                }
                else context.Counters.AddWarning($"Table '{context.TableName}' (kafka): looking for new partitions failed: {discovering.Exception?.InnerException?.Message}");
                discovering = null;
                nextDiscovery = DateTime.UtcNow + discovery!.Value;
            }

            var width = context.PhysicalSchema.Count + context.MetadataColumns.Count;
            var latest = new Dictionary<string, Row>(StringComparer.Ordinal);
            var paused = false;
            var pausedByUs = new HashSet<TopicPartition>();
            DateTime? fullSince = null;
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    CommitPending(consumer);
                    // Back-pressure: while the job has enough rows the source consumes nothing (librdkafka's own
                    // read-ahead, queued.min.messages per partition, fills meanwhile); when the job takes nothing for
                    // StallBeforePause, every partition is paused, so the poll loop keeps serving the group without
                    // reading (never past max.poll.interval.ms), and resumed when there is room. Paused for good once
                    // the job is stopping.
                    var behind = Interlocked.Read(ref _bufferedRows) >= Buffered;
                    if (behind && !paused && !_quiesced)
                    {
                        fullSince ??= DateTime.UtcNow;
                        if (DateTime.UtcNow - fullSince < StallBeforePause)
                        {
                            _taken.Wait(TimeSpan.FromMilliseconds(50));
                            continue;
                        }
                    }
                    else if (!behind) fullSince = null;
                    // Only partitions this loop paused are resumed (resuming one that is not paused makes librdkafka
                    // fetch from the application's position again, and the same message comes twice); they stay in
                    // the set across a revocation, because librdkafka keeps a partition's pause and a partition
                    // assigned again may come back paused.
                    var full = _quiesced || behind;
                    if (full != paused || assignmentChanged)
                    {
                        var current = consumer.Assignment.Where(tp => !finished.Contains(tp)).ToList();
                        var change = full ? current.Where(pausedByUs.Add).ToList() : current.Where(pausedByUs.Remove).ToList();
                        if (change.Count > 0)
                        {
                            if (full) consumer.Pause(change);
                            else consumer.Resume(change);
                        }
                        paused = full;
                        assignmentChanged = false;
                    }
                    if (discovery is not null && (!group || pattern is not null)) Discover();
                    ConsumeResult<byte[]?, byte[]?>? result;
                    try
                    {
                        result = consumer.Consume(TimeSpan.FromMilliseconds(pendingCount == 0 ? 100 : 0));
                    }
                    catch (ConsumeException e) when (Passing(e.Error))
                    {
                        // A subscribed topic not there (yet) or a partition between leaders: librdkafka keeps trying.
                        context.Counters.AddWarning($"Table '{context.TableName}' (kafka): {e.Error.Reason}");
                        continue;
                    }
                    if (result is null || result.IsPartitionEOF)
                    {
                        // At a partition's end: done when its end offset is there (a specific end offset further on
                        // is waited for, as in Flink).
                        if (result is not null && bounded && ends.TryGetValue(result.TopicPartition, out var stop) && result.Offset.Value >= stop)
                            Finish(result.TopicPartition);
                        FlushAll();
                        if (bounded && ends.Count == 0) return;
                        continue;
                    }
                    var tp = result.TopicPartition;
                    if (_quiesced || !_epochs.ContainsKey(tp)) continue; // not ours to hand out (any more)
                    if (bounded && ends.TryGetValue(tp, out var end) && result.Offset.Value >= end)
                    {
                        Finish(tp);
                        continue;
                    }
                    if (!began.ContainsKey(tp)) began[tp] = result.Offset.Value;
                    next[tp] = result.Offset.Value + 1;
                    if (!pending.TryGetValue(tp, out var rows)) pending[tp] = rows = new List<Row>(BatchSize);
                    var before = rows.Count;
                    if (!upsert)
                    {
                        if (Decode(result) is { } row) rows.Add(row);
                    }
                    else Normalize(result, rows);
                    pendingCount += rows.Count - before;
                    if (bounded && ends.TryGetValue(tp, out var last) && result.Offset.Value + 1 >= last) Finish(tp);
                    if (rows.Count >= BatchSize) Flush(tp);
                    if (bounded && ends.Count == 0)
                    {
                        FlushAll();
                        return;
                    }
                }
            }
            finally
            {
                // The last completed checkpoint (a graceful stop takes one) is stored before the consumer closes,
                // which commits it.
                CommitPending(consumer);
                if (group || namedGroup)
                    try { consumer.Close(); } catch (KafkaException) { /* leaving the group is best effort */ }
            }

            // Hands one partition's rows to the job with the position after them (a skipped bad row still moves the
            // position, so a partition with nothing but bad rows is committed past them too).
            void Flush(TopicPartition tp)
            {
                if (!pending.Remove(tp, out var rows)) return;
                pendingCount -= rows.Count;
                if (!_epochs.TryGetValue(tp, out var epoch)) return; // given up while being read
                context.Counters.AddRead(rows.Count);
                Interlocked.Add(ref _bufferedRows, rows.Count);
                _buffer.Writer.TryWrite(new RowBatch(rows) { SourcePosition = new BatchPosition(tp, epoch, next[tp]), Split = tp });
            }

            void FlushAll()
            {
                foreach (var tp in pending.Keys.ToList()) Flush(tp);
            }

            // upsert-kafka: the topic is a changelog keyed by the PRIMARY KEY. The first value of a key is +I, a later
            // one -U (the previous row) and +U, a tombstone (NULL value) -D with the previous row; keys are kept with
            // their last row, as Flink's ChangelogNormalize does.
            void Normalize(ConsumeResult<byte[]?, byte[]?> result, List<Row> output)
            {
                if (result.Message.Key is not { } key)
                {
                    context.Counters.AddSkipped($"{result.Topic}[{result.Partition.Value}]@{result.Offset.Value}: a message without a key in an upsert-kafka topic");
                    return;
                }
                var id = Convert.ToBase64String(key);
                if (result.Message.Value is null)
                {
                    if (latest.Remove(id, out var gone)) output.Add(new Row(gone.Values, RowKind.Delete));
                    return;
                }
                if (Decode(result) is not { } row) return;
                if (latest.TryGetValue(id, out var before))
                {
                    output.Add(new Row(before.Values, RowKind.UpdateBefore));
                    output.Add(new Row(row.Values, RowKind.UpdateAfter));
                }
                else output.Add(row);
                latest[id] = row;
            }

            Row? Decode(ConsumeResult<byte[]?, byte[]?> result)
            {
                var values = new object?[width];
                try
                {
                    if (result.Message.Value is not { } bytes || !decoder.Decode(bytes, valueBuffer)) return null;
                    for (var c = 0; c < layout.ValueColumns.Length; c++) values[layout.ValueColumns[c]] = valueBuffer[c];
                    if (keyDecoder is not null && result.Message.Key is { } key)
                    {
                        Array.Clear(keyBuffer);
                        if (keyDecoder.Decode(key, keyBuffer))
                            for (var c = 0; c < layout.KeyColumns.Length; c++) values[layout.KeyColumns[c]] = keyBuffer[c];
                    }
                    for (var m = 0; m < context.MetadataColumns.Count; m++)
                        values[context.PhysicalSchema.Count + m] = Metadata(context.MetadataColumns[m].Key, result);
                    return new Row(values, RowKind.Insert);
                }
                catch (FormatException e)
                {
                    var where = $"{result.Topic}[{result.Partition.Value}]";
                    if (!skip) throw new DataFormatException(where, result.Offset.Value, e.Message);
                    context.Counters.AddSkipped($"{where}@{result.Offset.Value}: {e.Message}");
                    return null;
                }
            }
        }

        /// <summary>Consumer errors that pass by themselves (librdkafka retries): an unknown topic or partition, one
        /// without a leader for now. Others (authorization, fatal errors) fail the scan.</summary>
        private static bool Passing(Error error) => !error.IsFatal && error.Code is ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownTopic
            or ErrorCode.Local_UnknownPartition or ErrorCode.LeaderNotAvailable or ErrorCode.NotLeaderForPartition;

        /// <summary>Every partition in <paramref name="partitions"/> with its start offset by the startup mode; for a
        /// bounded scan also each partition's end offset, exclusive (<paramref name="ends"/>), leaving out partitions
        /// with nothing to read between the two.</summary>
        private List<TopicPartitionOffset> StartOffsets(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions,
            string startup, string boundedMode, OptionReader options, Dictionary<TopicPartition, long> ends)
        {
            var bounded = boundedMode != "unbounded";
            var specific = startup == "specific-offsets" ? SpecificOffsets("scan.startup.specific-offsets", options) : [];
            var byTime = startup == "timestamp" ? OffsetsAt(consumer, partitions, "scan.startup.timestamp-millis", options) : [];
            var stopAt = boundedMode == "specific-offsets" ? SpecificOffsets("scan.bounded.specific-offsets", options) : [];
            var stopByTime = boundedMode == "timestamp" ? OffsetsAt(consumer, partitions, "scan.bounded.timestamp-millis", options) : [];
            var committed = bounded && (startup == "group-offsets" || boundedMode == "group-offsets")
                ? consumer.Committed(partitions, MetadataTimeout).ToDictionary(c => c.TopicPartition, c => c.Offset.Value) : [];
            var assignment = new List<TopicPartitionOffset>();
            foreach (var tp in partitions)
            {
                var start = startup switch
                {
                    "earliest-offset" => Offset.Beginning,
                    "latest-offset" => Offset.End,
                    "specific-offsets" => specific.TryGetValue(tp.Partition.Value, out var o) ? new Offset(o) : Offset.Beginning,
                    // The first offset whose timestamp is at or after the given time; the end when there is none.
                    "timestamp" => byTime.TryGetValue(tp, out var at) && at >= 0 ? new Offset(at) : Offset.End,
                    _ => Offset.Stored,
                };
                if (bounded)
                {
                    var marks = consumer.QueryWatermarkOffsets(tp, MetadataTimeout);
                    var from = start == Offset.Beginning ? marks.Low.Value
                        : start == Offset.End ? marks.High.Value
                        : start == Offset.Stored ? (committed.TryGetValue(tp, out var c) && c >= 0 ? c : marks.Low.Value)
                        : start.Value;
                    var end = boundedMode switch
                    {
                        "latest-offset" => marks.High.Value,
                        // Where the group is; a partition it never committed has nothing to read.
                        "group-offsets" => committed.TryGetValue(tp, out var g) && g >= 0 ? g : from,
                        "timestamp" => stopByTime.TryGetValue(tp, out var t) && t >= 0 ? t : marks.High.Value,
                        // A partition not named is not read.
                        _ => stopAt.TryGetValue(tp.Partition.Value, out var e) ? e : from,
                    };
                    if (end <= from) continue;
                    ends[tp] = end;
                }
                assignment.Add(new TopicPartitionOffset(tp, start));
            }
            return assignment;
        }

        /// <summary>Each partition's first offset whose timestamp is at or after the time in option
        /// <paramref name="key"/> (milliseconds since the epoch); -1 where there is none.</summary>
        private Dictionary<TopicPartition, long> OffsetsAt(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions, string key, OptionReader options)
        {
            var millis = options.GetString(key) is { } t && long.TryParse(t, System.Globalization.CultureInfo.InvariantCulture, out var ms)
                ? ms : throw new OptionException($"Table '{context.TableName}': mode 'timestamp' needs '{key}' (milliseconds since the epoch)");
            return consumer.OffsetsForTimes(partitions.Select(tp => new TopicPartitionTimestamp(tp, new Timestamp(millis, TimestampType.CreateTime))), MetadataTimeout)
                .ToDictionary(r => r.TopicPartition, r => r.Offset.Value);
        }

        /// <summary>Flink's kafka metadata keys: <c>topic</c>, <c>partition</c>, <c>offset</c>, <c>timestamp</c>
        /// (TIMESTAMP_LTZ(3)), <c>timestamp-type</c>, <c>headers</c> (MAP&lt;STRING, BYTES&gt;), <c>leader-epoch</c> (always NULL: Confluent.Kafka 1.9 does not expose it).</summary>
        private static object? Metadata(string key, ConsumeResult<byte[]?, byte[]?> message) => key.ToLowerInvariant() switch
        {
            "topic" => message.Topic,
            "partition" => message.Partition.Value,
            "offset" => message.Offset.Value,
            "timestamp" => message.Message.Timestamp.Type == TimestampType.NotAvailable ? null : DateTimeOffset.FromUnixTimeMilliseconds(message.Message.Timestamp.UnixTimestampMs),
            "timestamp-type" => message.Message.Timestamp.Type switch
            {
                TimestampType.CreateTime => "CreateTime",
                TimestampType.LogAppendTime => "LogAppendTime",
                _ => "NoTimestampType",
            },
            "headers" => new MapValue([.. (message.Message.Headers ?? []).Select(h => new KeyValuePair<object?, object?>(h.Key, h.GetValueBytes()))]),
            "leader-epoch" => null, // not exposed by Confluent.Kafka 1.9
            _ => throw new OptionException($"Unknown metadata key '{key}' for connector 'kafka'. Available: topic, partition, offset, timestamp, timestamp-type, headers, leader-epoch"),
        };

        /// <summary>Flink's <c>partition:0,offset:42;partition:1,offset:300</c>, from option <paramref name="key"/>.</summary>
        private Dictionary<int, long> SpecificOffsets(string key, OptionReader options)
        {
            var text = options.GetString(key) ?? throw new OptionException($"Table '{context.TableName}': mode 'specific-offsets' needs '{key}'");
            var offsets = new Dictionary<int, long>();
            foreach (var part in text.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var fields = part.Split(',', StringSplitOptions.TrimEntries).Select(f => f.Split(':', 2)).ToDictionary(f => f[0].ToLowerInvariant(), f => f.Length > 1 ? f[1] : "");
                if (!fields.TryGetValue("partition", out var p) || !int.TryParse(p, System.Globalization.CultureInfo.InvariantCulture, out var partition)
                    || !fields.TryGetValue("offset", out var o) || !long.TryParse(o, System.Globalization.CultureInfo.InvariantCulture, out var offset))
                    throw new OptionException($"Table '{context.TableName}': invalid '{key}' entry '{part}': expected 'partition:<n>,offset:<n>'");
                offsets[partition] = offset;
            }
            return offsets;
        }

        /// <summary>The partitions of the named topics, or of every topic matching <paramref name="pattern"/>; none for a
        /// topic that does not exist yet.</summary>
        private static List<TopicPartition> Partitions(Dictionary<string, string> properties, string[] topics, System.Text.RegularExpressions.Regex? pattern)
        {
            using var admin = new AdminClientBuilder(Configure(new AdminClientConfig(), properties)).Build();
            var metadata = pattern is null && topics.Length == 1 ? admin.GetMetadata(topics[0], MetadataTimeout) : admin.GetMetadata(MetadataTimeout);
            return [.. metadata.Topics
                .Where(t => !t.Error.IsError && (pattern is null ? topics.Contains(t.Topic) : pattern.IsMatch(t.Topic)))
                .SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p.PartitionId)))
                .OrderBy(tp => tp.Topic, StringComparer.Ordinal).ThenBy(tp => tp.Partition.Value)];
        }
    }

    private sealed class Sink : ISink
    {
        /// <summary>librdkafka consumer properties, which a producer would only warn about.</summary>
        private static readonly HashSet<string> ConsumerOnly = new(StringComparer.Ordinal)
        {
            "group.id", "group.instance.id", "session.timeout.ms", "heartbeat.interval.ms", "max.poll.interval.ms",
            "partition.assignment.strategy", "auto.offset.reset", "enable.auto.commit", "auto.commit.interval.ms",
            "enable.auto.offset.store", "isolation.level", "fetch.min.bytes", "fetch.max.bytes", "fetch.wait.max.ms",
            "max.partition.fetch.bytes", "queued.min.messages", "queued.max.messages.kbytes", "enable.partition.eof",
            "check.crcs", "group.protocol.type", "coordinator.query.interval.ms",
        };

        private readonly TableContext _context;
        private readonly string _topic;
        private readonly IRecordEncoder _encoder;
        private readonly IProducer<byte[]?, byte[]?> _producer;
        private readonly ArrayBufferWriter<byte> _record = new();
        private readonly ArrayBufferWriter<byte> _key = new();
        private readonly IRecordEncoder? _keyEncoder;
        private readonly Layout _layout;
        private readonly List<string> _failures = [];
        private long _pending;
        private readonly bool _upsert;
        private readonly string _partitioner;
        private IAdminClient? _metadata;
        private int _partitionCount;
        private DateTime _partitionsAt;
        private int _nextPartition;
        // upsert-kafka's sink.buffer-flush: each key's last message, written when the buffer is full, on the timer and
        // at checkpoints.
        private readonly int _bufferMaxRows;
        private readonly Dictionary<string, Message<byte[]?, byte[]?>> _buffered = new(StringComparer.Ordinal);
        private readonly Timer? _flushTimer;

        public Sink(TableContext context, Setup setup)
        {
            var (options, format, topic, properties, upsert) = setup;
            _context = context;
            _topic = topic is not null && !topic.Contains(';') ? topic
                : throw new OptionException($"Table '{context.TableName}': a kafka sink writes one topic; set 'topic' to a single name");
            _upsert = upsert;
            _layout = Layout.Of(context, options, upsert);
            _encoder = format.CreateEncoder(Layout.Sub(context.PhysicalSchema, _layout.ValueColumns), options, context.TimeZone);
            _keyEncoder = _layout.KeyFormat?.CreateEncoder(_layout.KeySchema(context.PhysicalSchema), options, context.TimeZone);
            var explicitGuarantee = context.Options.Keys.Any(k => k.Equals("sink.delivery-guarantee", StringComparison.OrdinalIgnoreCase));
            var guarantee = ((explicitGuarantee ? null : options.GetString("sink.semantic")) ?? options.GetString("sink.delivery-guarantee") ?? "at-least-once").ToLowerInvariant();
            if (guarantee == "exactly-once")
                throw new OptionException($"Table '{context.TableName}': delivery guarantee 'exactly-once' is not offered. The kafka sink is at-least-once " +
                    "(idempotent producer; after a crash, what came after the last completed checkpoint is written again): use 'at-least-once', and readers that " +
                    "tolerate duplicates, or upsert-kafka, whose readers keep each key's last value");
            var safe = guarantee == "at-least-once";
            _partitioner = (options.GetString("sink.partitioner") ?? "default").ToLowerInvariant();
            _bufferMaxRows = options.GetInt("sink.buffer-flush.max-rows");
            var bufferInterval = options.GetDuration("sink.buffer-flush.interval") ?? TimeSpan.Zero;
            if (_bufferMaxRows > 0 != bufferInterval > TimeSpan.Zero)
                throw new OptionException($"Table '{context.TableName}': 'sink.buffer-flush.max-rows' and 'sink.buffer-flush.interval' must both be greater than zero to buffer, or both zero (Flink's rule)");
            // murmur2_random: keyed messages land on the partition the Java client would pick (Flink's default).
            // The table's properties serve its source too; the consumer's own ones are not given to the producer.
            var producerProperties = properties.Where(kv => !ConsumerOnly.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            var config = Configure(new ProducerConfig { EnableIdempotence = safe, Acks = safe ? Acks.All : Acks.Leader, LingerMs = 5, Partitioner = Partitioner.Murmur2Random }, producerProperties);
            _producer = new ProducerBuilder<byte[]?, byte[]?>(config).Build();
            if (_bufferMaxRows > 0)
                _flushTimer = new Timer(_ =>
                {
                    try { FlushBuffer(); }
                    catch (KafkaException e) { lock (_failures) _failures.Add($"{_topic}: {e.Error.Reason}"); } // fails the next checkpoint
                }, null, bufferInterval, bufferInterval);
        }

        /// <summary>The partition a message goes to: partition 0 for 'fixed', the next one for a key-less message under
        /// 'round-robin' (the partition count is looked up every 5 minutes, or every second while the topic is not
        /// there), else the producer's murmur2 partitioner.</summary>
        private Partition PartitionOf(Message<byte[]?, byte[]?> message)
        {
            if (_partitioner == "fixed") return new Partition(0);
            if (_partitioner != "round-robin" || message.Key is not null) return Partition.Any;
            if (DateTime.UtcNow - _partitionsAt > (_partitionCount == 0 ? TimeSpan.FromSeconds(1) : TimeSpan.FromMinutes(5)))
            {
                _metadata ??= new DependentAdminClientBuilder(_producer.Handle).Build();
                try
                {
                    var topic = _metadata.GetMetadata(_topic, TimeSpan.FromSeconds(10)).Topics.FirstOrDefault(t => t.Topic == _topic && !t.Error.IsError);
                    _partitionCount = topic?.Partitions.Count ?? 0;
                }
                catch (KafkaException)
                {
                    _partitionCount = 0;
                }
                _partitionsAt = DateTime.UtcNow;
            }
            // A topic not there yet: the producer picks (and the broker may create the topic).
            return _partitionCount == 0 ? Partition.Any : new Partition(_nextPartition++ % _partitionCount);
        }

        private void Produce(Message<byte[]?, byte[]?> message)
        {
            Interlocked.Increment(ref _pending);
            var partition = new TopicPartition(_topic, PartitionOf(message));
            while (true)
            {
                try
                {
                    _producer.Produce(partition, message, Delivered);
                    return;
                }
                catch (ProduceException<byte[]?, byte[]?> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    _producer.Poll(TimeSpan.FromMilliseconds(100));
                }
            }
        }

        /// <summary>Writes what sink.buffer-flush holds, each key's last message.</summary>
        private void FlushBuffer()
        {
            lock (_buffered)
            {
                foreach (var message in _buffered.Values) Produce(message);
                _buffered.Clear();
            }
        }

        public ValueTask WriteAsync(RowBatch batch, CancellationToken cancellationToken = default)
        {
            for (var r = 0; r < batch.Rows.Count; r++)
            {
                var row = batch.Rows[r];
                if (!_upsert && row.Kind is RowKind.UpdateBefore or RowKind.Delete)
                    throw new RunnelException($"Table sink '{_context.TableName}' (kafka) doesn't support consuming update and delete changes; use upsert-kafka");
                // upsert-kafka: a -U followed by the +U of the same key is dropped (the +U replaces the key's value); a
                // -U on its own (the +U was filtered out) and a -D are tombstones.
                if (row.Kind == RowKind.UpdateBefore && r + 1 < batch.Rows.Count && batch.Rows[r + 1].Kind == RowKind.UpdateAfter
                    && _layout.KeyColumns.All(c => Equals(batch.Rows[r + 1].Values[c], row.Values[c])))
                    continue;
                byte[]? value = null;
                if (row.Kind is not (RowKind.Delete or RowKind.UpdateBefore))
                {
                    _record.ResetWrittenCount();
                    _encoder.Encode(Pick(row.Values, _layout.ValueColumns), _record);
                    value = _record.WrittenSpan.ToArray();
                }
                byte[]? key = null;
                if (_keyEncoder is not null)
                {
                    _key.ResetWrittenCount();
                    _keyEncoder.Encode(Pick(row.Values, _layout.KeyColumns), _key);
                    key = _key.WrittenSpan.ToArray();
                }
                var message = new Message<byte[]?, byte[]?> { Key = key, Value = value };
                SetMetadata(message, row.Values);
                if (_bufferMaxRows > 0 && key is not null)
                {
                    bool full;
                    lock (_buffered)
                    {
                        _buffered[Convert.ToBase64String(key)] = message;
                        full = _buffered.Count >= _bufferMaxRows;
                    }
                    if (full) FlushBuffer();
                }
                else Produce(message);
            }
            _context.Counters.AddWritten(batch.Count);
            return ValueTask.CompletedTask;
        }

        /// <summary>Writable metadata (Flink's): <c>timestamp</c> becomes the message's timestamp (NULL: the producer's
        /// clock), <c>headers</c> (MAP&lt;STRING, BYTES&gt;) its headers. Other keys are read-only.</summary>
        private void SetMetadata(Message<byte[]?, byte[]?> message, object?[] values)
        {
            var metadata = _context.MetadataColumns;
            for (var m = 0; m < metadata.Count; m++)
            {
                var value = values[_context.PhysicalSchema.Count + m];
                switch (metadata[m].Key.ToLowerInvariant())
                {
                    case "timestamp":
                        if (value is DateTimeOffset dto) message.Timestamp = new Timestamp(dto);
                        else if (value is DateTime dt) message.Timestamp = new Timestamp(DateTime.SpecifyKind(dt, DateTimeKind.Utc));
                        break;
                    case "headers":
                        if (value is MapValue map)
                        {
                            message.Headers = [];
                            foreach (var (k, v) in map.Entries)
                                if (k is string name)
                                    message.Headers.Add(name, v switch { byte[] b => b, null => null, _ => System.Text.Encoding.UTF8.GetBytes(v.ToString()!) });
                        }
                        break;
                    default:
                        throw new OptionException($"Table '{_context.TableName}': metadata '{metadata[m].Key}' of the kafka connector is read-only; declare it VIRTUAL. Writable: timestamp, headers");
                }
            }
        }

        private static object?[] Pick(object?[] values, int[] columns) =>
            columns.Length == values.Length && columns.Select((c, i) => c == i).All(x => x) ? values : [.. columns.Select(c => values[c])];

        private void Delivered(DeliveryReport<byte[]?, byte[]?> report)
        {
            if (report.Error.IsError)
                lock (_failures)
                    if (_failures.Count < 10) _failures.Add($"{report.TopicPartition}: {report.Error.Reason}");
            Interlocked.Decrement(ref _pending);
        }

        /// <summary>Waits until every produced message is acknowledged (or failed), then fails on failures.</summary>
        private async ValueTask DrainAsync(CancellationToken cancellationToken)
        {
            await Task.Run(() =>
            {
                while (Interlocked.Read(ref _pending) > 0 && !cancellationToken.IsCancellationRequested) _producer.Flush(TimeSpan.FromMilliseconds(200));
            }, cancellationToken).ConfigureAwait(false);
            lock (_failures)
                if (_failures.Count > 0)
                    throw new RunnelException($"Table sink '{_context.TableName}' (kafka): messages were not delivered: {string.Join("; ", _failures)}");
        }

        public ValueTask CheckpointAsync(CancellationToken cancellationToken = default)
        {
            FlushBuffer();
            return DrainAsync(cancellationToken);
        }

        public ValueTask FinishAsync(CancellationToken cancellationToken = default) => CheckpointAsync(cancellationToken);

        public async ValueTask DisposeAsync()
        {
            if (_flushTimer is not null) await _flushTimer.DisposeAsync().ConfigureAwait(false);
            _metadata?.Dispose();
            _producer.Dispose();
        }
    }
}

/// <summary>Kafka connections (CREATE CONNECTION .. 'type' = 'kafka') as librdkafka client properties, and the topics
/// managed tables live in.</summary>
public static class KafkaTopics
{
    /// <summary>librdkafka properties of a kafka connection: <c>bootstrap.servers</c> from the endpoint, its plain
    /// options (<c>security.protocol</c>, <c>sasl.mechanism</c>, <c>ssl.ca.location</c>), and its <c>username</c>/<c>password</c>
    /// as <c>sasl.username</c>/<c>sasl.password</c> (SASL PLAIN over SSL unless the options say otherwise).</summary>
    public static Dictionary<string, string> ClientProperties(ConnectorConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        if (connection.Endpoint is { } servers) properties["bootstrap.servers"] = servers;
        foreach (var (key, value) in connection.Options) properties[key] = value;
        if (connection.Secrets.TryGetValue("username", out var user) && connection.Secrets.TryGetValue("password", out var password))
        {
            properties["sasl.username"] = user.Reveal();
            properties["sasl.password"] = password.Reveal();
            properties.TryAdd("sasl.mechanism", "PLAIN");
            properties.TryAdd("security.protocol", "SASL_SSL");
        }
        return properties;
    }

    /// <summary>Creates <paramref name="topic"/> on the connection's brokers with their default partition count and
    /// replication; true when it was created or already exists, false when the brokers refused or did not answer
    /// within <paramref name="timeout"/> (a broker that creates topics on first use creates it then; librdkafka's mock
    /// cluster never answers CreateTopics).</summary>
    public static bool TryCreate(ConnectorConnection connection, string topic, TimeSpan timeout)
    {
        KafkaNative.EnsureResolver();
        var config = new AdminClientConfig();
        foreach (var (key, value) in ClientProperties(connection)) config.Set(key, value);
        using var admin = new AdminClientBuilder(config).Build();
        try
        {
            return admin.CreateTopicsAsync([new Confluent.Kafka.Admin.TopicSpecification { Name = topic, NumPartitions = -1, ReplicationFactor = -1 }],
                new Confluent.Kafka.Admin.CreateTopicsOptions { RequestTimeout = timeout, OperationTimeout = timeout }).Wait(timeout + TimeSpan.FromSeconds(1));
        }
        catch (AggregateException e) when (e.InnerException is Confluent.Kafka.Admin.CreateTopicsException c && c.Results.All(r => r.Error.Code == ErrorCode.TopicAlreadyExists))
        {
            return true;
        }
        catch (AggregateException)
        {
            return false;
        }
    }
}
