using System.Collections;

namespace Runnel.Core.Data;

/// <summary>SQL equality, hashing and ordering of runtime values (see <see cref="Types.SqlType"/>): numbers compare by
/// value across CLR types, strings ordinally (Flink compares strings by their UTF-16 code units too), arrays and rows
/// element by element. NULL equals NULL here (grouping semantics) and sorts first.</summary>
public sealed class ValueComparer : IEqualityComparer<object?>, IComparer<object?>
{
    /// <summary>The shared instance.</summary>
    public static readonly ValueComparer Instance = new();

    /// <inheritdoc />
    public new bool Equals(object? x, object? y) => Compare(x, y) == 0;

    /// <inheritdoc />
    public int GetHashCode(object? obj) => obj switch
    {
        null => 0,
        string s => s.GetHashCode(StringComparison.Ordinal),
        sbyte or short or int or long => Convert.ToInt64(obj, System.Globalization.CultureInfo.InvariantCulture).GetHashCode(),
        float f => HashDouble(f),
        double d => HashDouble(d),
        decimal m => m == decimal.Truncate(m) && m >= long.MinValue && m <= long.MaxValue ? ((long)m).GetHashCode() : ((double)m).GetHashCode(),
        object?[] a => HashArray(a),
        byte[] b => HashBytes(b),
        RowValue r => HashArray(r.Fields),
        _ => obj.GetHashCode(),
    };

    private static int HashDouble(double d) =>
        d == Math.Floor(d) && d >= long.MinValue && d <= long.MaxValue ? ((long)d).GetHashCode() : d.GetHashCode();

    private int HashArray(object?[] a)
    {
        var h = new HashCode();
        foreach (var v in a) h.Add(GetHashCode(v));
        return h.ToHashCode();
    }

    private static int HashBytes(byte[] b)
    {
        var h = new HashCode();
        h.AddBytes(b);
        return h.ToHashCode();
    }

    /// <inheritdoc />
    public int Compare(object? x, object? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        switch (x)
        {
            case string sx when y is string sy: return string.CompareOrdinal(sx, sy);
            case int ix when y is int iy: return ix.CompareTo(iy);
            case long lx when y is long ly: return lx.CompareTo(ly);
            case double dx when y is double dy: return dx.CompareTo(dy);
            case bool bx when y is bool by: return bx.CompareTo(by);
            case object?[] ax when y is object?[] ay: return CompareSeq(ax, ay);
            case RowValue rx when y is RowValue ry: return CompareSeq(rx.Fields, ry.Fields);
            case byte[] bx when y is byte[] by: return ((IStructuralComparable)bx).CompareTo(by, Comparer<byte>.Default);
        }
        if (IsNumber(x) && IsNumber(y))
        {
            if (x is double or float || y is double or float) return ToDouble(x).CompareTo(ToDouble(y));
            if (x is decimal || y is decimal) return ToDecimal(x).CompareTo(ToDecimal(y));
            return ToLong(x).CompareTo(ToLong(y));
        }
        if (x is IComparable c && x.GetType() == y.GetType()) return c.CompareTo(y);
        if (x is DateTimeOffset dto && y is DateTime dt) return dto.UtcDateTime.CompareTo(dt);
        if (x is DateTime dt2 && y is DateTimeOffset dto2) return dt2.CompareTo(dto2.UtcDateTime);
        if (x is MapValue mx && y is MapValue my) return mx.Equals(my) ? 0 : mx.Count.CompareTo(my.Count) is var k && k != 0 ? k : 1;
        return string.CompareOrdinal(x.GetType().Name, y.GetType().Name);
    }

    private int CompareSeq(object?[] a, object?[] b)
    {
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            var c = Compare(a[i], b[i]);
            if (c != 0) return c;
        }
        return a.Length.CompareTo(b.Length);
    }

    /// <summary>True for the CLR types of numeric SQL kinds.</summary>
    public static bool IsNumber(object v) => v is sbyte or short or int or long or float or double or decimal;
    private static double ToDouble(object v) => Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture);
    private static decimal ToDecimal(object v) => Convert.ToDecimal(v, System.Globalization.CultureInfo.InvariantCulture);
    private static long ToLong(object v) => Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Structural equality for composite keys (object arrays) used as dictionary keys by operators.</summary>
public sealed class KeyComparer : IEqualityComparer<object?[]>
{
    /// <summary>The shared instance.</summary>
    public static readonly KeyComparer Instance = new();

    /// <inheritdoc />
    public bool Equals(object?[]? x, object?[]? y)
    {
        if (x is null || y is null) return x == y;
        if (x.Length != y.Length) return false;
        for (var i = 0; i < x.Length; i++)
            if (!ValueComparer.Instance.Equals(x[i], y[i])) return false;
        return true;
    }

    /// <inheritdoc />
    public int GetHashCode(object?[] obj)
    {
        var h = new HashCode();
        foreach (var v in obj) h.Add(ValueComparer.Instance.GetHashCode(v));
        return h.ToHashCode();
    }
}
