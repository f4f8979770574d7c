using Runnel.Core.Types;

namespace Runnel.Sql.Functions;

/// <summary>Evaluates a scalar function on argument values that already have the resolved argument types. Must not
/// keep <paramref name="args"/>: callers reuse the array.</summary>
public delegate object? ScalarInvoker(object?[] args);

/// <summary>How EXPLAIN writes a call.</summary>
public enum FunctionDisplay
{
    /// <summary><c>f(a, b)</c></summary>
    Call,
    /// <summary><c>a op b</c></summary>
    Infix,
    /// <summary><c>op a</c></summary>
    Prefix,
    /// <summary><c>a op</c></summary>
    Postfix,
}

/// <summary>A function resolved for concrete argument types: the types arguments are cast to, the result type, and
/// the implementation.</summary>
public sealed record Signature(IReadOnlyList<SqlType> ArgTypes, SqlType ReturnType, ScalarInvoker Invoke);

/// <summary>Raised by a function's resolver when the argument types do not fit; the binder adds the position.</summary>
public sealed class FunctionArgumentException(string message) : Exception(message);

/// <summary>
/// A built-in scalar function or operator. <see cref="Resolve"/> checks argument types and picks the implementation.
/// When <see cref="Strict"/> is true (most functions, as in Flink) a NULL argument gives NULL without calling the
/// implementation; the implementation then never sees a null argument.
/// </summary>
public sealed class ScalarFunction
{
    /// <summary>A function called <paramref name="name"/> resolved by <paramref name="resolve"/>.</summary>
    public ScalarFunction(string name, Func<IReadOnlyList<SqlType>, Signature> resolve, bool strict = true,
        bool deterministic = true, FunctionDisplay display = FunctionDisplay.Call, string? symbol = null)
    {
        Name = name;
        Resolve = resolve;
        Strict = strict;
        IsDeterministic = deterministic;
        Display = display;
        Symbol = symbol ?? name;
    }

    /// <summary>The name.</summary>
    public string Name { get; }
    /// <summary>Checks argument types and returns the signature; throws <see cref="FunctionArgumentException"/>.</summary>
    public Func<IReadOnlyList<SqlType>, Signature> Resolve { get; }
    /// <summary>True when NULL in gives NULL out without a call.</summary>
    public bool Strict { get; }
    /// <summary>False for functions such as RAND and CURRENT_TIMESTAMP (never moved by rules).</summary>
    public bool IsDeterministic { get; }
    /// <summary>How EXPLAIN writes calls.</summary>
    public FunctionDisplay Display { get; }
    /// <summary>The operator symbol EXPLAIN shows.</summary>
    public string Symbol { get; }
    /// <inheritdoc />
    public override string ToString() => Name;
}
