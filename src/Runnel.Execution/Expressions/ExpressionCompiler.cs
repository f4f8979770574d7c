using Runnel.Core.Errors;
using Runnel.Core.Types;
using Runnel.Sql.Binding;
using Runnel.Sql.Functions;

namespace Runnel.Execution.Expressions;

/// <summary>Evaluates an expression on one row's values.</summary>
public delegate object? CompiledExpr(object?[] row);

/// <summary>
/// Compiles bound expressions into closures over a row's value array. Strict functions return NULL on a NULL
/// argument without being called; AND, OR, IF, COALESCE and CASE evaluate lazily, so
/// <c>x &lt;&gt; 0 AND 10 / x &gt; 1</c> never divides by zero. A compiled expression reuses scratch arrays and is
/// therefore not thread-safe: compile once per operator instance.
/// </summary>
public static class ExpressionCompiler
{
    /// <summary>A delegate that evaluates <paramref name="expr"/> on a row's values (indices as in the expression's input).</summary>
    public static CompiledExpr Compile(BoundExpr expr)
    {
        ArgumentNullException.ThrowIfNull(expr);
        switch (expr)
        {
            case BoundInputRef r:
            {
                var i = r.Index;
                return row => row[i];
            }
            case BoundLiteral l:
            {
                var v = l.Value;
                return _ => v;
            }
            case BoundCast c:
            {
                var operand = Compile(c.Operand);
                var cast = Casts.Create(c.Operand.Type, c.TargetType, c.IsTry);
                return row => operand(row) is { } v ? cast(v) : null;
            }
            case BoundCase c:
            {
                var whens = c.Whens.Select(w => (Compile(w.When), Compile(w.Then))).ToArray();
                var @else = Compile(c.Else);
                return row =>
                {
                    foreach (var (when, then) in whens)
                        if (when(row) is true) return then(row);
                    return @else(row);
                };
            }
            case BoundCall call:
                return CompileCall(call);
            default:
                throw new InvalidOperationException($"Cannot compile {expr.GetType().Name}");
        }
    }

    /// <summary>A filter: true only when the condition is TRUE (NULL and FALSE drop the row, as SQL WHERE).</summary>
    public static Func<object?[], bool> CompilePredicate(BoundExpr expr)
    {
        var e = Compile(expr);
        return row => e(row) is true;
    }

    private static CompiledExpr CompileCall(BoundCall call)
    {
        var args = call.Args.Select(Compile).ToArray();
        var invoke = call.Invoke;
        switch (call.Function.Name)
        {
            case "AND":
            case "OR":
                var isAnd = call.Function.Name == "AND";
                // Lazy (unlike BuiltinFunctions.ThreeValued over evaluated values): stops at the first deciding
                // value, so later operands are not evaluated.
                return row =>
                {
                    var sawNull = false;
                    foreach (var a in args)
                    {
                        switch (a(row))
                        {
                            case bool b when b != isAnd: return b;
                            case null: sawNull = true; break;
                        }
                    }
                    return sawNull ? null : isAnd;
                };
            case "IF":
                return row => args[0](row) is true ? args[1](row) : args[2](row);
            case "COALESCE":
            case "IFNULL":
                return row =>
                {
                    foreach (var a in args)
                        if (a(row) is { } v) return v;
                    return null;
                };
        }
        var scratch = new object?[args.Length];
        if (call.Function.Strict)
        {
            if (args.Length == 1)
            {
                var a0 = args[0];
                return row =>
                {
                    var v = a0(row);
                    if (v is null) return null;
                    scratch[0] = v;
                    return invoke(scratch);
                };
            }
            if (args.Length == 2)
            {
                var (a0, a1) = (args[0], args[1]);
                return row =>
                {
                    var v0 = a0(row);
                    if (v0 is null) return null;
                    var v1 = a1(row);
                    if (v1 is null) return null;
                    scratch[0] = v0;
                    scratch[1] = v1;
                    return invoke(scratch);
                };
            }
            return row =>
            {
                for (var i = 0; i < args.Length; i++)
                {
                    var v = args[i](row);
                    if (v is null) return null;
                    scratch[i] = v;
                }
                return invoke(scratch);
            };
        }
        return row =>
        {
            // Non-strict functions get a fresh array: some (ARRAY, MAP, ROW) keep it.
            var values = new object?[args.Length];
            for (var i = 0; i < args.Length; i++) values[i] = args[i](row);
            return invoke(values);
        };
    }
}
