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
/// Flink's <c>kafka</c> connector, first slice: a topic as a dynamic table whose message values are rows in a format
/// (<c>value.format</c> or <c>format</c>: json, csv, raw). Options keep Flink's names: <c>topic</c>,
/// <c>properties.bootstrap.servers</c>, <c>properties.group.id</c>, any other <c>properties.*</c> passed to the client
/// as is (security, SASL), <c>scan.startup.mode</c> (<c>earliest-offset</c>, <c>latest-offset</c>,
/// <c>group-offsets</c> — the default, Flink's — falling back to the earliest offset without a committed one, and
/// <c>specific-offsets</c> with <c>scan.startup.specific-offsets</c>), and
/// <c>scan.bounded.mode</c> (<c>unbounded</c>, or <c>latest-offset</c>: read up to each partition's end as it was
/// when the scan started, then stop). Metadata columns (<c>METADATA FROM</c>): <c>topic</c>, <c>partition</c>,
/// <c>offset</c>, <c>timestamp</c>, <c>timestamp-type</c>, <c>headers</c>, <c>leader-epoch</c>, read-only. The sink
/// produces one message per row with the idempotent producer (<c>acks=all</c>) and waits for every delivery at
/// checkpoints and at the end (at-least-once). Keys: <c>key.format</c> with <c>key.fields</c> (';'-separated) put
/// those columns in the message key (partitioned by murmur2, as the Java client), and <c>value.fields-include</c> =
/// <c>EXCEPT_KEY</c> leaves them out of the value. Not yet: timestamp and specific-offset startup, upsert-kafka, and
/// committing source offsets.
/// </summary>
public sealed class KafkaConnector : IConnectorFactory
{
    /// <inheritdoc />
    public string Name => "kafka";
    /// <inheritdoc />
    public bool CanRead => true;
    /// <inheritdoc />
    public bool CanWrite => true;
    /// <inheritdoc />
    public bool AcceptsUpdates => false;

    private static readonly OptionDef[] Own =
    [
        new("connector", OptionType.String, "kafka"),
        new("topic", OptionType.String, "The topic read or written.", Required: true),
        new("properties.bootstrap.servers", OptionType.String, "Kafka brokers, host:port[,host:port].", Required: true),
        new("properties.group.id", OptionType.String, "The consumer group (default: a group of its own per scan)."),
        new("properties.*", OptionType.String, "Client properties passed to librdkafka as they are (security.protocol, sasl.*, ...)."),
        new("format", OptionType.Enum, "Value format (same as value.format).", AllowedValues: ["json", "csv", "raw"]),
        new("value.format", OptionType.Enum, "Value format.", AllowedValues: ["json", "csv", "raw"]),
        new("key.format", OptionType.Enum, "Key format; with key.fields, those columns are read from and written to the message key.", AllowedValues: ["json", "csv", "raw"]),
        new("key.fields", OptionType.String, "Physical columns that make the key, separated by ';' (Flink's separator)."),
        new("key.fields-prefix", OptionType.String, "Accepted for compatibility; key columns are named as in the table."),
        new("value.fields-include", OptionType.Enum, "ALL (default): the value holds every physical column; EXCEPT_KEY: the key columns only in the key.", Default: "ALL", AllowedValues: ["ALL", "EXCEPT_KEY"]),
        new("scan.startup.mode", OptionType.Enum, "Where a scan starts.", Default: "group-offsets", AllowedValues: ["earliest-offset", "latest-offset", "group-offsets", "specific-offsets"]),
        new("scan.startup.specific-offsets", OptionType.String, "With 'specific-offsets': 'partition:0,offset:42;partition:1,offset:300' (other partitions start at the earliest offset)."),
        new("scan.bounded.mode", OptionType.Enum, "Where a scan stops.", Default: "unbounded", AllowedValues: ["unbounded", "latest-offset"]),
        new("sink.delivery-guarantee", OptionType.Enum, "at-least-once (idempotent producer, wait for deliveries) or none.", Default: "at-least-once", AllowedValues: ["at-least-once", "none"]),
        new("sink.partitioner", OptionType.Enum, "Accepted: messages without keys go to the partitioner librdkafka uses.", AllowedValues: ["default", "fixed", "round-robin"]),
    ];

    /// <inheritdoc />
    public OptionSchema GetOptionSchema(IReadOnlyDictionary<string, string> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var name = options.TryGetValue("value.format", out var v) ? v : options.TryGetValue("format", out var f) ? f : null;
        var format = name is not null && FormatRegistry.TryGet(name, out var ff) ? ff.Options : [];
        var key = options.TryGetValue("key.format", out var k) && FormatRegistry.TryGet(k, out var kf) && !string.Equals(k, name, StringComparison.OrdinalIgnoreCase) ? kf.Options : [];
        return new OptionSchema("connector 'kafka'", Own.Concat(format).Concat(key));
    }

    /// <inheritdoc />
    public bool IsBounded(IReadOnlyDictionary<string, string> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.TryGetValue("scan.bounded.mode", out var mode) && mode.Equals("latest-offset", StringComparison.OrdinalIgnoreCase);
    }

    /// <inheritdoc />
    public ISource CreateSource(TableContext context) => new Source(context, Read(context));

    /// <inheritdoc />
    public ISink CreateSink(TableContext context) => new Sink(context, Read(context));

    /// <summary>Which physical columns travel in the key and which in the value, and their codecs' formats.</summary>
    private sealed record Layout(int[] KeyColumns, int[] ValueColumns, IFormatFactory? KeyFormat)
    {
        public static Layout Of(TableContext context, OptionReader options)
        {
            var schema = context.PhysicalSchema;
            var keyFields = options.GetString("key.fields");
            var keyFormat = options.GetString("key.format");
            if (keyFields is null != (keyFormat is null))
                throw new OptionException($"Table '{context.TableName}': 'key.fields' and 'key.format' go together");
            var keys = keyFields is null ? [] : keyFields.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(f =>
                schema.IndexOf(f) is var i and >= 0 ? i : throw new OptionException($"Table '{context.TableName}': key field '{f}' is not a physical column. Columns: {string.Join(", ", schema.Names)}")).ToArray();
            var exceptKey = string.Equals(options.GetString("value.fields-include"), "EXCEPT_KEY", StringComparison.OrdinalIgnoreCase);
            var values = Enumerable.Range(0, schema.Count).Where(c => !exceptKey || !keys.Contains(c)).ToArray();
            return new Layout(keys, values, keyFormat is null ? null : FormatRegistry.Get(keyFormat));
        }

        public static Core.Types.Schema Sub(Core.Types.Schema schema, int[] columns) => new([.. columns.Select(c => schema[c])]);
    }

    /// <summary>What a source or sink of one table is built from: its options, value format, topic and client properties.</summary>
    private sealed record Setup(OptionReader Options, IFormatFactory Format, string Topic, Dictionary<string, string> Properties);

    private Setup Read(TableContext context)
    {
        KafkaNative.EnsureResolver();
        var options = new OptionReader(context.Options, GetOptionSchema(context.Options));
        var formatName = options.GetString("value.format") ?? options.GetString("format")
            ?? throw new OptionException($"Table '{context.TableName}': the kafka connector needs 'value.format' (or 'format')");
        var properties = context.Options.Where(kv => kv.Key.StartsWith("properties.", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(kv => kv.Key["properties.".Length..], kv => kv.Value, StringComparer.Ordinal);
        return new Setup(options, FormatRegistry.Get(formatName), options.GetRequired("topic"), properties);
    }

    private static T Configure<T>(T config, Dictionary<string, string> properties) where T : ClientConfig
    {
        foreach (var (key, value) in properties) config.Set(key, value);
        return config;
    }

    private sealed class Source(TableContext context, Setup setup) : ISource
    {
        private const int BatchSize = 1024;
        private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(10);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        public async IAsyncEnumerable<RowBatch> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var (options, format, topic, properties) = setup;
            var startup = options.GetString("scan.startup.mode") ?? "group-offsets";
            var bounded = context.Bounded || (options.GetString("scan.bounded.mode") ?? "unbounded") == "latest-offset";
            var config = Configure(new ConsumerConfig
            {
                GroupId = "runnel-" + Guid.NewGuid().ToString("N"),
                EnableAutoCommit = false,
                AutoOffsetReset = startup == "latest-offset" ? AutoOffsetReset.Latest : AutoOffsetReset.Earliest,
            }, properties);
            var layout = Layout.Of(context, options);
            var decoder = format.CreateDecoder(Layout.Sub(context.PhysicalSchema, layout.ValueColumns), options, null, context.TimeZone);
            var keyDecoder = layout.KeyFormat?.CreateDecoder(Layout.Sub(context.PhysicalSchema, layout.KeyColumns), options, null, context.TimeZone);
            var skip = format.IgnoreParseErrors(options);
            var valueBuffer = new object?[layout.ValueColumns.Length];
            var keyBuffer = new object?[layout.KeyColumns.Length];

            using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config).Build();
            var partitions = await Task.Run(() => Partitions(Configure(new AdminClientConfig(), properties), topic), cancellationToken).ConfigureAwait(false);
            // A bounded scan that starts at the end has nothing to read.
            if (bounded && startup == "latest-offset") yield break;
            var specific = startup == "specific-offsets" ? SpecificOffsets(options.GetString("scan.startup.specific-offsets")
                ?? throw new OptionException($"Table '{context.TableName}': scan.startup.mode 'specific-offsets' needs 'scan.startup.specific-offsets'")) : [];
            var ends = new Dictionary<int, long>();
            var assignment = new List<TopicPartitionOffset>();
            foreach (var p in partitions)
            {
                var tp = new TopicPartition(topic, p);
                if (bounded)
                {
                    var marks = consumer.QueryWatermarkOffsets(tp, MetadataTimeout);
                    if (marks.High.Value <= marks.Low.Value) continue;
                    // Nothing to read between a specific start at or past the end and the end.
                    if (specific.TryGetValue(p, out var from) && from >= marks.High.Value) continue;
                    ends[p] = marks.High.Value;
                }
                assignment.Add(new TopicPartitionOffset(tp, startup switch
                {
                    "earliest-offset" => Offset.Beginning,
                    "latest-offset" => Offset.End,
                    "specific-offsets" => specific.TryGetValue(p, out var o) ? new Offset(o) : Offset.Beginning,
                    _ => Offset.Stored,
                }));
            }
            if (bounded && assignment.Count == 0) yield break;
            consumer.Assign(assignment);
            var width = context.PhysicalSchema.Count + context.MetadataColumns.Count;
            while (!cancellationToken.IsCancellationRequested)
            {
                var rows = new List<Row>(BatchSize);
                while (rows.Count < BatchSize)
                {
                    var result = consumer.Consume(TimeSpan.FromMilliseconds(rows.Count == 0 ? 200 : 0));
                    if (result is null || result.IsPartitionEOF) break;
                    var partition = result.Partition.Value;
                    if (bounded && ends.TryGetValue(partition, out var end) && result.Offset.Value >= end)
                    {
                        consumer.Pause([result.TopicPartition]);
                        ends.Remove(partition);
                        continue;
                    }
                    var values = new object?[width];
                    try
                    {
                        if (result.Message.Value is { } bytes && decoder.Decode(bytes, valueBuffer))
                        {
                            for (var c = 0; c < layout.ValueColumns.Length; c++) values[layout.ValueColumns[c]] = valueBuffer[c];
                            if (keyDecoder is not null && result.Message.Key is { } key)
                            {
                                Array.Clear(keyBuffer);
                                if (keyDecoder.Decode(key, keyBuffer))
                                    for (var c = 0; c < layout.KeyColumns.Length; c++) values[layout.KeyColumns[c]] = keyBuffer[c];
                            }
                            for (var m = 0; m < context.MetadataColumns.Count; m++)
                                values[context.PhysicalSchema.Count + m] = Metadata(context.MetadataColumns[m].Key, result);
                            rows.Add(new Row(values, RowKind.Insert));
                        }
                    }
                    catch (FormatException e)
                    {
                        var where = $"{topic}[{partition}]@{result.Offset.Value}";
                        if (!skip) throw new DataFormatException($"{topic}[{partition}]", result.Offset.Value, e.Message);
                        context.Counters.AddSkipped($"{where}: {e.Message}");
                    }
                    if (bounded && ends.TryGetValue(partition, out var last) && result.Offset.Value + 1 >= last)
                    {
                        consumer.Pause([result.TopicPartition]);
                        ends.Remove(partition);
                    }
                }
                if (rows.Count > 0)
                {
                    context.Counters.AddRead(rows.Count);
                    yield return new RowBatch(rows);
                }
                if (bounded && ends.Count == 0) yield break;
                if (rows.Count == 0) await Task.Yield();
            }
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

        /// <summary>Flink's <c>partition:0,offset:42;partition:1,offset:300</c>.</summary>
        private static Dictionary<int, long> SpecificOffsets(string text)
        {
            var offsets = new Dictionary<int, long>();
            foreach (var part in text.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var fields = part.Split(',', StringSplitOptions.TrimEntries).Select(f => f.Split(':', 2)).ToDictionary(f => f[0].ToLowerInvariant(), f => f.Length > 1 ? f[1] : "");
                if (!fields.TryGetValue("partition", out var p) || !int.TryParse(p, System.Globalization.CultureInfo.InvariantCulture, out var partition)
                    || !fields.TryGetValue("offset", out var o) || !long.TryParse(o, System.Globalization.CultureInfo.InvariantCulture, out var offset))
                    throw new OptionException($"Invalid 'scan.startup.specific-offsets' entry '{part}': expected 'partition:<n>,offset:<n>'");
                offsets[partition] = offset;
            }
            return offsets;
        }

        /// <summary>The topic's partitions; none when the topic does not exist yet.</summary>
        private static List<int> Partitions(AdminClientConfig config, string topic)
        {
            using var admin = new AdminClientBuilder(config).Build();
            var metadata = admin.GetMetadata(topic, MetadataTimeout);
            var t = metadata.Topics.FirstOrDefault(x => x.Topic == topic);
            return t is null || t.Error.IsError ? [] : [.. t.Partitions.Select(p => p.PartitionId).Order()];
        }
    }

    private sealed class Sink : ISink
    {
        private readonly TableContext _context;
        private readonly string _topic;
        private readonly IRecordEncoder _encoder;
        private readonly IProducer<byte[]?, byte[]> _producer;
        private readonly ArrayBufferWriter<byte> _record = new();
        private readonly ArrayBufferWriter<byte> _key = new();
        private readonly IRecordEncoder? _keyEncoder;
        private readonly Layout _layout;
        private readonly List<string> _failures = [];
        private long _pending;

        public Sink(TableContext context, Setup setup)
        {
            var (options, format, topic, properties) = setup;
            _context = context;
            _topic = topic;
            _layout = Layout.Of(context, options);
            _encoder = format.CreateEncoder(Layout.Sub(context.PhysicalSchema, _layout.ValueColumns), options, context.TimeZone);
            _keyEncoder = _layout.KeyFormat?.CreateEncoder(Layout.Sub(context.PhysicalSchema, _layout.KeyColumns), options, context.TimeZone);
            var safe = (options.GetString("sink.delivery-guarantee") ?? "at-least-once") == "at-least-once";
            // murmur2_random: keyed messages land on the partition the Java client would pick (Flink's default).
            var config = Configure(new ProducerConfig { EnableIdempotence = safe, Acks = safe ? Acks.All : Acks.Leader, LingerMs = 5, Partitioner = Partitioner.Murmur2Random }, properties);
            _producer = new ProducerBuilder<byte[]?, byte[]>(config).Build();
        }

        public ValueTask WriteAsync(RowBatch batch, CancellationToken cancellationToken = default)
        {
            foreach (var row in batch.Rows)
            {
                if (row.Kind is RowKind.UpdateBefore or RowKind.Delete)
                    throw new RunnelException($"Table sink '{_context.TableName}' (kafka) doesn't support consuming update and delete changes; use upsert-kafka");
                _record.ResetWrittenCount();
                _encoder.Encode(Pick(row.Values, _layout.ValueColumns), _record);
                byte[]? key = null;
                if (_keyEncoder is not null)
                {
                    _key.ResetWrittenCount();
                    _keyEncoder.Encode(Pick(row.Values, _layout.KeyColumns), _key);
                    key = _key.WrittenSpan.ToArray();
                }
                Interlocked.Increment(ref _pending);
                while (true)
                {
                    try
                    {
                        _producer.Produce(_topic, new Message<byte[]?, byte[]> { Key = key, Value = _record.WrittenSpan.ToArray() }, Delivered);
                        break;
                    }
                    catch (ProduceException<byte[]?, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                    {
                        _producer.Poll(TimeSpan.FromMilliseconds(100));
                    }
                }
            }
            _context.Counters.AddWritten(batch.Count);
            return ValueTask.CompletedTask;
        }

        private static object?[] Pick(object?[] values, int[] columns) =>
            columns.Length == values.Length && columns.Select((c, i) => c == i).All(x => x) ? values : [.. columns.Select(c => values[c])];

        private void Delivered(DeliveryReport<byte[]?, byte[]> report)
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

        public ValueTask CheckpointAsync(CancellationToken cancellationToken = default) => DrainAsync(cancellationToken);

        public ValueTask FinishAsync(CancellationToken cancellationToken = default) => DrainAsync(cancellationToken);

        public ValueTask DisposeAsync()
        {
            _producer.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
