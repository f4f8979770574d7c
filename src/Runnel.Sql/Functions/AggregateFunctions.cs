using System.Globalization;
using Runnel.Core.Data;
using Runnel.Core.Types;

namespace Runnel.Sql.Functions;

/// <summary>The running state of one aggregate for one group. <see cref="Retract"/> undoes an earlier
/// <see cref="Accumulate"/> of the same value (for -U/-D input in streaming). Not thread-safe.</summary>
public interface IAccumulator
{
    /// <summary>Adds one value (NULL included; most aggregates ignore it).</summary>
    void Accumulate(object? value);
    /// <summary>Removes one earlier added value.</summary>
    void Retract(object? value);
    /// <summary>The current result, in the CLR type of the aggregate's result type.</summary>
    object? GetValue();
    /// <summary>Number of accumulated rows minus retracted rows, NULL inputs included.</summary>
    long RowCount { get; }
}

/// <summary>A built-in aggregate: result type from the argument type, and a factory for accumulators.</summary>
public sealed class AggregateFunction(string name, Func<IReadOnlyList<SqlType>, SqlType> returnType,
    Func<IReadOnlyList<SqlType>, SqlType, IAccumulator> create, int minArgs = 1, int maxArgs = 1)
{
    /// <summary>Upper-case name.</summary>
    public string Name { get; } = name;
    /// <summary>Fewest arguments.</summary>
    public int MinArgs { get; } = minArgs;
    /// <summary>Most arguments.</summary>
    public int MaxArgs { get; } = maxArgs;
    /// <summary>The result type for argument types <paramref name="args"/>.</summary>
    public SqlType ReturnType(IReadOnlyList<SqlType> args) => returnType(args);
    /// <summary>A fresh accumulator; wrapped to count each distinct value once when <paramref name="distinct"/>.</summary>
    public IAccumulator Create(IReadOnlyList<SqlType> args, SqlType result, bool distinct)
    {
        var acc = create(args, result);
        return distinct ? new AggregateFunctions.DistinctAccumulator(acc) : acc;
    }
    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>Registry of aggregate functions: COUNT, SUM, AVG, MIN, MAX, FIRST_VALUE, LAST_VALUE, LISTAGG, STDDEV_POP,
/// STDDEV_SAMP, VAR_POP, VAR_SAMP, with Flink's result types (e.g. <c>AVG(INT)</c> is INT, <c>SUM(INT)</c> is INT,
/// <c>COUNT</c> is BIGINT NOT NULL).</summary>
public static class AggregateFunctions
{
    private static readonly Dictionary<string, AggregateFunction> All = new(StringComparer.OrdinalIgnoreCase);

    static AggregateFunctions()
    {
        Add(new AggregateFunction("COUNT", _ => SqlType.BigInt.WithNullable(false), (_, _) => new CountAcc(), 0, int.MaxValue));
        Add(new AggregateFunction("SUM", a => SumType(a[0]), (a, r) => new SumAcc(r)));
        Add(new AggregateFunction("SUM0", a => SumType(a[0]).WithNullable(false), (a, r) => new SumAcc(r, zeroWhenEmpty: true)));
        Add(new AggregateFunction("AVG", a => AvgType(a[0]), (a, r) => new AvgAcc(r)));
        Add(new AggregateFunction("MIN", a => a[0].WithNullable(true), (_, _) => new MinMaxAcc(-1)));
        Add(new AggregateFunction("MAX", a => a[0].WithNullable(true), (_, _) => new MinMaxAcc(1)));
        Add(new AggregateFunction("FIRST_VALUE", a => a[0].WithNullable(true), (_, _) => new FirstLastAcc(first: true)));
        Add(new AggregateFunction("LAST_VALUE", a => a[0].WithNullable(true), (_, _) => new FirstLastAcc(first: false)));
        Add(new AggregateFunction("LISTAGG", _ => SqlType.String, (_, _) => new ListAggAcc(), 1, 2));
        foreach (var (name, sample, sqrt) in new[] { ("STDDEV_POP", false, true), ("STDDEV_SAMP", true, true), ("STDDEV", true, true), ("VAR_POP", false, false), ("VAR_SAMP", true, false), ("VARIANCE", true, false) })
            Add(new AggregateFunction(name, a => a[0].Kind == TypeKind.Decimal ? SqlType.Double : a[0].WithNullable(true), (a, r) => new VarianceAcc(sample, sqrt, r)));
    }

    private static void Add(AggregateFunction f) => All[f.Name] = f;

    /// <summary>The aggregate by name (case-insensitive).</summary>
    public static bool TryGet(string name, out AggregateFunction function) => All.TryGetValue(name, out function!);
    /// <summary>Every aggregate name.</summary>
    public static IEnumerable<string> Names => All.Keys;

    private static SqlType SumType(SqlType t) => t.Kind switch
    {
        TypeKind.Decimal => SqlType.Decimal(38, t.Scale),
        _ => t.WithNullable(true),
    };

    private static SqlType AvgType(SqlType t) => t.Kind switch
    {
        TypeKind.Decimal => SqlType.Decimal(38, Math.Max(t.Scale, 6)),
        _ => t.WithNullable(true),
    };

    internal static object? ConvertTo(double v, SqlType t) => t.Kind switch
    {
        TypeKind.TinyInt => (sbyte)v,
        TypeKind.SmallInt => (short)v,
        TypeKind.Int => (int)v,
        TypeKind.BigInt => (long)v,
        TypeKind.Float => (float)v,
        TypeKind.Decimal => (decimal)v,
        _ => v,
    };

    private sealed class CountAcc : IAccumulator
    {
        private long _count;
        public long RowCount { get; private set; }
        public void Accumulate(object? value) { RowCount++; if (value is not null) _count++; }
        public void Retract(object? value) { RowCount--; if (value is not null) _count--; }
        public object? GetValue() => _count;
    }

    /// <summary>A running sum kept in the widest CLR type of its kind, with counts of rows and non-NULL values;
    /// shared by SUM and AVG.</summary>
    private abstract class SumState : IAccumulator
    {
        protected long NonNull { get; private set; }
        protected long Long { get; private set; }
        protected double Double { get; private set; }
        protected decimal Decimal { get; private set; }
        /// <summary>Sum of squares of every non-NULL value, as doubles (for the variance aggregates).</summary>
        protected double Squares { get; private set; }
        /// <summary>The sum of every non-NULL value as a double, whatever its type.</summary>
        protected double DoubleSum => Long + Double + (double)Decimal;
        public long RowCount { get; private set; }

        public void Accumulate(object? value) => Add(value, 1);
        public void Retract(object? value) => Add(value, -1);

        private void Add(object? value, int sign)
        {
            RowCount += sign;
            if (value is null) return;
            NonNull += sign;
            var d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
            Squares += sign * d * d;
            switch (value)
            {
                case int i: Long += sign * i; break;
                case long l: Long += sign * l; break;
                case short s: Long += sign * s; break;
                case sbyte b: Long += sign * b; break;
                case decimal m: Decimal += sign * m; break;
                default: Double += sign * Convert.ToDouble(value, CultureInfo.InvariantCulture); break;
            }
        }

        public abstract object? GetValue();
    }

    private sealed class SumAcc(SqlType result, bool zeroWhenEmpty = false) : SumState
    {
        public override object? GetValue()
        {
            if (NonNull == 0 && !zeroWhenEmpty) return null;
            return result.Kind switch
            {
                TypeKind.Int => unchecked((int)Long),
                TypeKind.BigInt => Long,
                TypeKind.SmallInt => unchecked((short)Long),
                TypeKind.TinyInt => unchecked((sbyte)Long),
                TypeKind.Decimal => Decimal,
                TypeKind.Float => (float)Double,
                _ => Double,
            };
        }
    }

    private sealed class AvgAcc(SqlType result) : SumState
    {
        public override object? GetValue()
        {
            if (NonNull == 0) return null;
            return result.Kind switch
            {
                // Flink: AVG of an integer type is that integer type (integer division of the sum by the count).
                TypeKind.TinyInt => (sbyte)(Long / NonNull),
                TypeKind.SmallInt => (short)(Long / NonNull),
                TypeKind.Int => (int)(Long / NonNull),
                TypeKind.BigInt => Long / NonNull,
                TypeKind.Decimal => decimal.Round(Decimal / NonNull, result.Scale, MidpointRounding.AwayFromZero),
                TypeKind.Float => (float)(Double / NonNull),
                _ => Double / NonNull,
            };
        }
    }

    private sealed class MinMaxAcc(int sign) : IAccumulator
    {
        private readonly SortedDictionary<object, int> _values = new(ValueComparer.Instance!);
        public long RowCount { get; private set; }

        public void Accumulate(object? value)
        {
            RowCount++;
            if (value is null) return;
            _values[value] = _values.TryGetValue(value, out var c) ? c + 1 : 1;
        }

        public void Retract(object? value)
        {
            RowCount--;
            if (value is null || !_values.TryGetValue(value, out var c)) return;
            if (c <= 1) _values.Remove(value);
            else _values[value] = c - 1;
        }

        public object? GetValue() => _values.Count == 0 ? null : sign < 0 ? _values.Keys.First() : _values.Keys.Last();
    }

    private sealed class FirstLastAcc(bool first) : IAccumulator
    {
        private readonly List<object> _values = [];
        public long RowCount { get; private set; }

        public void Accumulate(object? value)
        {
            RowCount++;
            if (value is not null) _values.Add(value);
        }

        public void Retract(object? value)
        {
            RowCount--;
            if (value is null) return;
            var i = _values.FindLastIndex(v => ValueComparer.Instance.Equals(v, value));
            if (i >= 0) _values.RemoveAt(i);
        }

        public object? GetValue() => _values.Count == 0 ? null : first ? _values[0] : _values[^1];
    }

    /// <summary>LISTAGG(expr [, separator]): the accumulator receives a ROW of (value, separator) when a separator is
    /// given, else the bare value. Default separator ',' as Flink.</summary>
    private sealed class ListAggAcc : IAccumulator
    {
        private readonly List<string> _values = [];
        private string _separator = ",";
        public long RowCount { get; private set; }

        public void Accumulate(object? value)
        {
            RowCount++;
            var (v, sep) = Split(value);
            if (sep is not null) _separator = sep;
            if (v is not null) _values.Add(v);
        }

        public void Retract(object? value)
        {
            RowCount--;
            var (v, _) = Split(value);
            if (v is not null) _values.Remove(v);
        }

        private static (string? Value, string? Separator) Split(object? value) => value switch
        {
            RowValue r => (r.Fields[0] is null ? null : ValueFormatter.Format(r.Fields[0]), r.Fields[1] as string),
            null => (null, null),
            _ => (ValueFormatter.Format(value), null),
        };

        public object? GetValue() => _values.Count == 0 ? null : string.Join(_separator, _values);
    }

    private sealed class VarianceAcc(bool sample, bool sqrt, SqlType result) : SumState
    {
        public override object? GetValue()
        {
            var denominator = sample ? NonNull - 1 : NonNull;
            if (denominator <= 0) return null;
            var variance = Math.Max(0, (Squares - DoubleSum * DoubleSum / NonNull) / denominator);
            return ConvertTo(sqrt ? Math.Sqrt(variance) : variance, result);
        }
    }

    /// <summary>Feeds the inner accumulator only the first occurrence of each distinct value (and retracts it when
    /// the last occurrence goes).</summary>
    internal sealed class DistinctAccumulator(IAccumulator inner) : IAccumulator
    {
        private readonly Dictionary<object, int> _seen = new(ValueComparer.Instance!);
        public long RowCount { get; private set; }

        public void Accumulate(object? value)
        {
            RowCount++;
            if (value is null) return;
            if (_seen.TryGetValue(value, out var c)) _seen[value] = c + 1;
            else
            {
                _seen[value] = 1;
                inner.Accumulate(value);
            }
        }

        public void Retract(object? value)
        {
            RowCount--;
            if (value is null || !_seen.TryGetValue(value, out var c)) return;
            if (c > 1) _seen[value] = c - 1;
            else
            {
                _seen.Remove(value);
                inner.Retract(value);
            }
        }

        public object? GetValue() => inner.GetValue();
    }
}
