using System.Runtime.CompilerServices;
using Runnel.Connectors.Abstractions;
using Runnel.Core.Data;
using Runnel.Core.Errors;
using Runnel.Core.Options;
using Runnel.Core.Types;

namespace Runnel.Connectors.Datagen;

/// <summary>
/// Flink's <c>datagen</c> connector: generates rows at <c>rows-per-second</c> (default 10000), stopping after
/// <c>number-of-rows</c> or when a sequence field reaches its end. Per field: <c>fields.&lt;f&gt;.kind</c>
/// (<c>random</c> default, or <c>sequence</c> with <c>start</c>/<c>end</c>), <c>min</c>/<c>max</c> for numbers,
/// <c>length</c> for strings (default 100) and collections, <c>max-past</c> for timestamps, <c>null-rate</c>.
/// Random values come from a seeded generator per table, so a run is repeatable for the same options.
/// </summary>
public sealed class DatagenConnector : IConnectorFactory
{
    /// <inheritdoc />
    public string Name => "datagen";
    /// <inheritdoc />
    public bool CanRead => true;
    /// <inheritdoc />
    public bool CanWrite => false;
    /// <inheritdoc />
    public bool AcceptsUpdates => false;

    /// <inheritdoc />
    public OptionSchema GetOptionSchema(IReadOnlyDictionary<string, string> options) => new("connector 'datagen'",
    [
        new("connector", OptionType.String, "datagen"),
        new("rows-per-second", OptionType.Long, "Rows generated per second.", Default: "10000"),
        new("number-of-rows", OptionType.Long, "Total rows to generate; the source is unbounded without it (unless a sequence field ends)."),
        new("scan.parallelism", OptionType.Int, "Accepted for compatibility; Runnel runs one generator per source."),
        new("fields.*", OptionType.String, "Per-field options: fields.<name>.kind|min|max|length|start|end|max-past|null-rate|var-len."),
    ]);

    /// <inheritdoc />
    public bool IsBounded(IReadOnlyDictionary<string, string> options) =>
        options.ContainsKey("number-of-rows") ||
        options.Any(kv => kv.Key.EndsWith(".kind", StringComparison.OrdinalIgnoreCase) && string.Equals(kv.Value, "sequence", StringComparison.OrdinalIgnoreCase));

    /// <inheritdoc />
    public ISource CreateSource(TableContext context) => new Source(context, this);
    /// <inheritdoc />
    public ISink CreateSink(TableContext context) => throw new RunnelException("The datagen connector can only be read, not written");

    private sealed class Source(TableContext context, DatagenConnector connector) : ISource
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        public async IAsyncEnumerable<RowBatch> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var options = new OptionReader(context.Options, connector.GetOptionSchema(context.Options));
            var rate = Math.Max(1, options.GetLong("rows-per-second", 10000));
            long? total = options.GetString("number-of-rows") is null ? null : options.GetLong("number-of-rows");
            var schema = context.PhysicalSchema;
            var generators = schema.Columns.Select(c => FieldGenerator.Create(c, options, context.TableName)).ToArray();
            foreach (var key in context.Options.Keys.Where(k => k.StartsWith("fields.", StringComparison.OrdinalIgnoreCase)))
            {
                var field = key[7..key.LastIndexOf('.')];
                if (!schema.Columns.Any(c => string.Equals(c.Name, field, StringComparison.OrdinalIgnoreCase)))
                    throw new OptionException($"datagen option '{key}' names field '{field}', which table '{context.TableName}' does not have");
            }
            var random = new Random(HashCode.Combine(context.TableName.Length, schema.Count, 42));
            var produced = 0L;
            var started = DateTime.UtcNow;
            var batchSize = (int)Math.Clamp(rate / 10, 1, 1024);
            while (total is null || produced < total)
            {
                var n = (int)Math.Min(batchSize, total is null ? batchSize : total.Value - produced);
                var rows = new List<Row>(n);
                for (var i = 0; i < n; i++)
                {
                    var values = new object?[schema.Count + context.MetadataColumns.Count];
                    var exhausted = false;
                    for (var c = 0; c < generators.Length; c++)
                    {
                        if (!generators[c].TryNext(random, out values[c])) exhausted = true;
                    }
                    if (exhausted) { total = produced; break; }
                    rows.Add(new Row(values));
                    produced++;
                }
                if (rows.Count > 0)
                {
                    context.Counters.AddRead(rows.Count);
                    yield return new RowBatch(rows);
                }
                // Pace to rows-per-second.
                var due = started + TimeSpan.FromSeconds(produced / (double)rate);
                var wait = due - DateTime.UtcNow;
                if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                else await Task.Yield();
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }

    private sealed class FieldGenerator
    {
        private readonly Column _column;
        private readonly bool _sequence;
        private readonly decimal _start;
        private readonly decimal _end;
        private decimal _next;
        private readonly double _min;
        private readonly double _max;
        private readonly int _length;
        private readonly double _nullRate;
        private readonly TimeSpan _maxPast;

        private FieldGenerator(Column column, OptionReader o, string table)
        {
            _column = column;
            var prefix = $"fields.{column.Name}.";
            var kind = o.GetString(prefix + "kind") ?? "random";
            if (kind is not ("random" or "sequence"))
                throw new OptionException($"datagen option '{prefix}kind' must be 'random' or 'sequence', got '{kind}'");
            _sequence = kind == "sequence";
            if (_sequence)
            {
                if (o.GetString(prefix + "start") is null || o.GetString(prefix + "end") is null)
                    throw new OptionException($"datagen sequence field '{column.Name}' of table '{table}' needs '{prefix}start' and '{prefix}end'");
                _start = decimal.Parse(o.GetString(prefix + "start")!, System.Globalization.CultureInfo.InvariantCulture);
                _end = decimal.Parse(o.GetString(prefix + "end")!, System.Globalization.CultureInfo.InvariantCulture);
                _next = _start;
            }
            var t = column.Type;
            var (defMin, defMax) = t.Kind switch
            {
                TypeKind.TinyInt => (sbyte.MinValue, (double)sbyte.MaxValue),
                TypeKind.SmallInt => (short.MinValue, short.MaxValue),
                TypeKind.Int => (int.MinValue, int.MaxValue),
                TypeKind.BigInt => (long.MinValue, (double)long.MaxValue),
                TypeKind.Decimal => (-Math.Pow(10, t.Precision - t.Scale) + 1, Math.Pow(10, t.Precision - t.Scale) - 1),
                _ => (double.MinValue / 2, double.MaxValue / 2),
            };
            _min = o.GetDouble(prefix + "min", defMin);
            _max = o.GetDouble(prefix + "max", defMax);
            if (_min > _max) throw new OptionException($"datagen option '{prefix}min' ({_min}) is greater than '{prefix}max' ({_max})");
            _length = o.GetInt(prefix + "length", t.IsCharacter && t.Precision != SqlType.MaxLength ? t.Precision : t.IsCharacter ? 100 : 3);
            _nullRate = o.GetDouble(prefix + "null-rate", 0);
            _maxPast = o.GetDuration(prefix + "max-past") ?? TimeSpan.Zero;
        }

        public static FieldGenerator Create(Column c, OptionReader o, string table) => new(c, o, table);

        public bool TryNext(Random random, out object? value)
        {
            if (_sequence)
            {
                if (_next > _end) { value = null; return false; }
                value = Convert(_next, _column.Type);
                _next++;
                return true;
            }
            if (_nullRate > 0 && random.NextDouble() < _nullRate) { value = null; return true; }
            value = RandomValue(_column.Type, random);
            return true;
        }

        private object? Convert(decimal v, SqlType t) => t.Kind switch
        {
            TypeKind.TinyInt => (sbyte)v,
            TypeKind.SmallInt => (short)v,
            TypeKind.Int => (int)v,
            TypeKind.BigInt => (long)v,
            TypeKind.Float => (float)v,
            TypeKind.Double => (double)v,
            TypeKind.Decimal => v,
            TypeKind.Char or TypeKind.VarChar => v.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => throw new OptionException($"datagen sequence is not supported for type {t} (field '{_column.Name}')"),
        };

        private object? RandomValue(SqlType t, Random random)
        {
            double Uniform() => _min + random.NextDouble() * (_max - _min);
            switch (t.Kind)
            {
                case TypeKind.Boolean: return random.Next(2) == 1;
                case TypeKind.TinyInt: return (sbyte)UniformInteger(random);
                case TypeKind.SmallInt: return (short)UniformInteger(random);
                case TypeKind.Int: return (int)UniformInteger(random);
                case TypeKind.BigInt: return UniformInteger(random);
                case TypeKind.Float: return (float)Uniform();
                case TypeKind.Double: return Uniform();
                case TypeKind.Decimal: return decimal.Round((decimal)Uniform(), t.Scale);
                case TypeKind.Char:
                case TypeKind.VarChar:
                {
                    const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
                    var chars = new char[_length];
                    for (var i = 0; i < chars.Length; i++) chars[i] = alphabet[random.Next(alphabet.Length)];
                    return new string(chars);
                }
                case TypeKind.Bytes:
                {
                    var b = new byte[_length];
                    random.NextBytes(b);
                    return b;
                }
                case TypeKind.Date: return DateOnly.FromDateTime(DateTime.UtcNow - TimeSpan.FromTicks((long)(random.NextDouble() * _maxPast.Ticks)));
                case TypeKind.Time: return TimeOnly.FromDateTime(DateTime.UtcNow);
                case TypeKind.Timestamp:
                    return Truncate(DateTime.UtcNow - TimeSpan.FromTicks((long)(random.NextDouble() * _maxPast.Ticks)), t.Precision);
                case TypeKind.TimestampLtz:
                    return new DateTimeOffset(Truncate(DateTime.UtcNow - TimeSpan.FromTicks((long)(random.NextDouble() * _maxPast.Ticks)), t.Precision), TimeSpan.Zero);
                case TypeKind.Array: return Enumerable.Range(0, _length).Select(_ => RandomValue(t.Element!, random)).ToArray();
                case TypeKind.Map:
                    return new MapValue(Enumerable.Range(0, _length).Select(_ => new KeyValuePair<object?, object?>(RandomValue(t.Element!, random), RandomValue(t.ValueType!, random))));
                case TypeKind.Row: return new RowValue(t.Fields.Select(f => RandomValue(f.Type, random)).ToArray());
                default: throw new OptionException($"datagen cannot generate type {t} (field '{_column.Name}')");
            }
        }

        /// <summary>Every integer in [min, max] equally likely (max inclusive, as Flink's datagen).</summary>
        private long UniformInteger(Random random)
        {
            var lo = (long)Math.Max(_min, long.MinValue);
            var hi = (long)Math.Min(_max, long.MaxValue - 1);
            return lo >= hi ? lo : random.NextInt64(lo, hi + 1);
        }

        private static DateTime Truncate(DateTime d, int precision)
        {
            var unit = precision >= 7 ? 1 : (long)Math.Pow(10, 7 - precision);
            return new DateTime(d.Ticks - d.Ticks % unit, DateTimeKind.Unspecified);
        }
    }
}
