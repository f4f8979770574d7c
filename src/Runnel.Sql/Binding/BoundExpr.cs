using Runnel.Core.Data;
using Runnel.Core.Types;
using Runnel.Sql.Functions;

namespace Runnel.Sql.Binding;

/// <summary>A resolved, typed scalar expression over the columns of one input row. Produced by
/// <see cref="ExpressionBinder"/>, rewritten by planning rules, compiled to delegates by the execution layer.</summary>
public abstract record BoundExpr(SqlType Type)
{
    /// <summary>Column indices this expression reads.</summary>
    public abstract void CollectInputs(ISet<int> into);

    /// <summary>The same expression with every input index mapped through <paramref name="map"/>.</summary>
    public abstract BoundExpr Remap(Func<int, int> map);

    /// <summary>Text for EXPLAIN, with column names from <paramref name="names"/>.</summary>
    public abstract string Describe(IReadOnlyList<string> names);

    /// <summary>The set of column indices read.</summary>
    public ISet<int> Inputs()
    {
        var set = new HashSet<int>();
        CollectInputs(set);
        return set;
    }
}

/// <summary>Column <see cref="Index"/> of the input row.</summary>
public sealed record BoundInputRef(int Index, SqlType ColumnType) : BoundExpr(ColumnType)
{
    /// <inheritdoc />
    public override void CollectInputs(ISet<int> into) => into.Add(Index);
    /// <inheritdoc />
    public override BoundExpr Remap(Func<int, int> map) => this with { Index = map(Index) };
    /// <inheritdoc />
    public override string Describe(IReadOnlyList<string> names) => Index < names.Count ? names[Index] : "$" + Index;
}

/// <summary>A constant; <see cref="Value"/> has the CLR type of <see cref="BoundExpr.Type"/>.</summary>
public sealed record BoundLiteral(object? Value, SqlType LiteralType) : BoundExpr(LiteralType)
{
    /// <inheritdoc />
    public override void CollectInputs(ISet<int> into) { }
    /// <inheritdoc />
    public override BoundExpr Remap(Func<int, int> map) => this;
    /// <inheritdoc />
    public override string Describe(IReadOnlyList<string> names) =>
        Value is null ? "null:" + Type.WithNullable(true) : Value is string s ? "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'" : ValueFormatter.Format(Value, Type);
}

/// <summary>A call of a scalar function or operator; arguments already have the types the function asked for.</summary>
public sealed record BoundCall(ScalarFunction Function, IReadOnlyList<BoundExpr> Args, SqlType ResultType, ScalarInvoker Invoke) : BoundExpr(ResultType)
{
    /// <inheritdoc />
    public override void CollectInputs(ISet<int> into)
    {
        foreach (var a in Args) a.CollectInputs(into);
    }

    /// <inheritdoc />
    public override BoundExpr Remap(Func<int, int> map) => this with { Args = Args.Select(a => a.Remap(map)).ToList() };

    /// <inheritdoc />
    public override string Describe(IReadOnlyList<string> names)
    {
        var args = Args.Select(a => a.Describe(names)).ToList();
        return Function.Display switch
        {
            FunctionDisplay.Infix when args.Count == 2 => $"{Bracket(Args[0], args[0])} {Function.Symbol} {Bracket(Args[1], args[1])}",
            FunctionDisplay.Prefix when args.Count == 1 => $"{Function.Symbol} {Bracket(Args[0], args[0])}",
            FunctionDisplay.Postfix when args.Count == 1 => $"{Bracket(Args[0], args[0])} {Function.Symbol}",
            _ => $"{Function.Name}({string.Join(", ", args)})",
        };
    }

    private static string Bracket(BoundExpr e, string s) =>
        e is BoundCall { Function.Display: FunctionDisplay.Infix or FunctionDisplay.Prefix or FunctionDisplay.Postfix } ? "(" + s + ")" : s;

    /// <summary>Structural equality (function, arguments, type).</summary>
    public bool Equals(BoundCall? other) => other is not null && other.Function == Function && Args.SequenceEqual(other.Args) && ResultType == other.ResultType;
    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Function.Name, Args.Count);
}

/// <summary><c>CAST</c> / <c>TRY_CAST</c>; the binder also inserts casts for implicit widening.</summary>
public sealed record BoundCast(BoundExpr Operand, SqlType TargetType, bool IsTry) : BoundExpr(TargetType)
{
    /// <inheritdoc />
    public override void CollectInputs(ISet<int> into) => Operand.CollectInputs(into);
    /// <inheritdoc />
    public override BoundExpr Remap(Func<int, int> map) => this with { Operand = Operand.Remap(map) };
    /// <inheritdoc />
    public override string Describe(IReadOnlyList<string> names) => $"{(IsTry ? "TRY_CAST" : "CAST")}({Operand.Describe(names)} AS {TargetType})";
}

/// <summary>A searched CASE: the first true condition's result, else <see cref="Else"/> (NULL when absent).</summary>
public sealed record BoundCase(IReadOnlyList<(BoundExpr When, BoundExpr Then)> Whens, BoundExpr Else, SqlType ResultType) : BoundExpr(ResultType)
{
    /// <inheritdoc />
    public override void CollectInputs(ISet<int> into)
    {
        foreach (var (w, t) in Whens) { w.CollectInputs(into); t.CollectInputs(into); }
        Else.CollectInputs(into);
    }

    /// <inheritdoc />
    public override BoundExpr Remap(Func<int, int> map) =>
        this with { Whens = Whens.Select(w => (w.When.Remap(map), w.Then.Remap(map))).ToList(), Else = Else.Remap(map) };

    /// <inheritdoc />
    public override string Describe(IReadOnlyList<string> names) =>
        "CASE(" + string.Join(", ", Whens.Select(w => w.When.Describe(names) + ", " + w.Then.Describe(names))) + ", " + Else.Describe(names) + ")";

    /// <summary>Structural equality.</summary>
    public bool Equals(BoundCase? other) => other is not null && Whens.SequenceEqual(other.Whens) && Else == other.Else;
    /// <inheritdoc />
    public override int GetHashCode() => Whens.Count;
}
