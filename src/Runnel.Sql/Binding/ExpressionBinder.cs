using System.Globalization;
using Runnel.Core.Data;
using Runnel.Core.Errors;
using Runnel.Core.Types;
using Runnel.Sql.Ast;
using Runnel.Sql.Functions;

namespace Runnel.Sql.Binding;

/// <summary>
/// Binds scalar expressions against a <see cref="Scope"/>: resolves columns and functions, types literals as Flink
/// does (<c>1</c> INT, <c>1.5</c> DECIMAL(2, 1), <c>1e0</c> DOUBLE, <c>'ab'</c> CHAR(2) NOT NULL), inserts implicit
/// casts, and reports errors with position. Aggregates are not bound here: a caller that allows them sets
/// <see cref="Substitute"/> to replace them (and grouped expressions) with input references first.
/// </summary>
public sealed class ExpressionBinder(BuiltinFunctions functions)
{
    /// <summary>The built-in functions used.</summary>
    public BuiltinFunctions Functions { get; } = functions;

    /// <summary>Called on every node before it is bound; a non-null result replaces the node.</summary>
    public Func<Expr, Scope, BoundExpr?>? Substitute { get; set; }

    /// <summary>Binds <paramref name="expr"/> over <paramref name="scope"/>; throws <see cref="SqlException"/> with the position.</summary>
    public BoundExpr Bind(Expr expr, Scope scope)
    {
        ArgumentNullException.ThrowIfNull(expr);
        if (Substitute?.Invoke(expr, scope) is { } replaced) return replaced;
        try
        {
            return BindCore(expr, scope);
        }
        catch (FunctionArgumentException e)
        {
            throw new SqlException(e.Message, expr.Position);
        }
    }

    private BoundExpr BindCore(Expr expr, Scope scope)
    {
        switch (expr)
        {
            case LiteralExpr l: return BindLiteral(l);
            case IntervalExpr iv: return BindInterval(iv);
            case ColumnRefExpr c:
            {
                var (entry, fields) = scope.Resolve(c.Parts, c.Position);
                BoundExpr result = new BoundInputRef(entry.Index, entry.Type);
                foreach (var f in fields) result = FieldAccess(result, f, c.Position);
                return result;
            }
            case FieldAccessExpr fa: return FieldAccess(Bind(fa.Target, scope), fa.Field, fa.Position);
            case FunctionCallExpr fc: return BindCall(fc, scope);
            case BinaryExpr b:
                // Operators are functions named by their symbol (the names EXPLAIN shows).
                return Call(SqlFormatter.OpText(b.Op), [Bind(b.Left, scope), Bind(b.Right, scope)], b.Position);
            case UnaryExpr u:
                var operand = Bind(u.Operand, scope);
                return u.Op switch
                {
                    UnaryOp.Negate => Call("NEGATE", [operand], u.Position),
                    UnaryOp.Not => Call("NOT", [operand], u.Position),
                    _ => operand,
                };
            case CaseExpr c: return BindCase(c, scope);
            case CastExpr c:
            {
                var inner = Bind(c.Operand, scope);
                if (!TypeCoercion.CanCast(inner.Type, c.TargetType))
                    throw new SqlException($"Cast function cannot convert value of type {inner.Type.WithNullable(true)} to type {c.TargetType.WithNullable(true)}", c.Position);
return new BoundCast(inner, c.TargetType.WithNullable(c.IsTry || inner.Type.IsNullable), c.IsTry);
            }
            case BetweenExpr b:
            {
                var x = Bind(b.Operand, scope);
                var between = Call("AND", [Call(">=", [x, Bind(b.Low, scope)], b.Position), Call("<=", [x, Bind(b.High, scope)], b.Position)], b.Position);
                return b.Negated ? Call("NOT", [between], b.Position) : between;
            }
            case InListExpr i:
            {
                var args = new List<BoundExpr> { Bind(i.Operand, scope) };
                args.AddRange(i.Items.Select(e => Bind(e, scope)));
                var call = Call("IN", args, i.Position);
                return i.Negated ? Call("NOT", [call], i.Position) : call;
            }
            case LikeExpr l:
            {
                var args = new List<BoundExpr> { Bind(l.Operand, scope), Bind(l.Pattern, scope) };
                if (l.Escape is not null) args.Add(Bind(l.Escape, scope));
                var call = Call("LIKE", args, l.Position);
                return l.Negated ? Call("NOT", [call], l.Position) : call;
            }
            case IsExpr i:
            {
                var name = "IS " + (i.Negated ? "NOT " : "") + (i.Test == IsTest.Unknown ? "NULL" : i.Test.ToString().ToUpperInvariant());
                return Call(name, [Bind(i.Operand, scope)], i.Position);
            }
            case IndexExpr ix: return Call("ITEM", [Bind(ix.Target, scope), Bind(ix.Index, scope)], ix.Position);
            case ExtractExpr ex: return Call("EXTRACT", [new BoundLiteral(ex.Unit, SqlType.String.WithNullable(false)), Bind(ex.Source, scope)], ex.Position);
            case TrimExpr t:
            {
                var chars = t.Characters is null ? new BoundLiteral(" ", SqlType.Char(1).WithNullable(false)) : Bind(t.Characters, scope);
                return Call("TRIM_" + t.Mode, [chars, Bind(t.Source, scope)], t.Position);
            }
            case ConstructorExpr c:
                return Call(c.Kind.ToString().ToUpperInvariant(), c.Items.Select(e => Bind(e, scope)).ToList(), c.Position);
            case StarExpr s:
                throw new SqlException("'*' is only allowed in a select list or COUNT(*)", s.Position);
            case SubqueryExpr s:
                throw new SqlException("Subqueries in expressions are not supported yet; rewrite as a JOIN", s.Position);
            case TableArgExpr or DescriptorExpr or ModelArgExpr:
                throw new SqlException("TABLE, DESCRIPTOR and MODEL arguments are only allowed in table-valued function calls in FROM", expr.Position);
            default:
                throw new SqlException($"Unsupported expression {expr.GetType().Name}", expr.Position);
        }
    }

    private BoundExpr BindCall(FunctionCallExpr fc, Scope scope)
    {
        var name = fc.UpperName;
        if (AggregateFunctions.TryGet(name, out _))
            throw new SqlException($"Aggregate function {name} is not allowed here (only in a SELECT list or HAVING of a query with aggregation)", fc.Position);
        if (name is "IN_SUBQUERY" or "NOT_IN_SUBQUERY" or "EXISTS")
            throw new SqlException("Subqueries in expressions (IN (SELECT ..), EXISTS) are not supported yet; rewrite as a JOIN", fc.Position);
        if (name is "TUMBLE" or "HOP" or "CUMULATE" or "SESSION")
            throw new SqlException($"Window function {name} must be used as a table-valued function in FROM: FROM TABLE({name}(TABLE t, DESCRIPTOR(ts), ...))", fc.Position);
        if (fc.Name.Parts.Count > 1 || !Functions.TryGet(name, out _))
        {
            var all = Functions.Names.Concat(AggregateFunctions.Names);
            throw new SqlException($"No match found for function signature {fc.Name}({string.Join(", ", fc.Args.Select(_ => "<?>"))}): function '{fc.Name}' does not exist." + NameSuggester.Hint(name, all), fc.Position);
        }
        var args = fc.Args.Select(a => Bind(a, scope)).ToList();
        return Call(name, args, fc.Position);
    }

    /// <summary>Binds a call of built-in <paramref name="name"/> to bound arguments, inserting casts to the resolved
    /// argument types.</summary>
    public BoundExpr Call(string name, IReadOnlyList<BoundExpr> args, SourcePosition position)
    {
        var fn = Functions.Get(name);
        Signature sig;
        try
        {
            sig = fn.Resolve(args.Select(a => a.Type).ToList());
        }
        catch (FunctionArgumentException e)
        {
            throw new SqlException(e.Message, position);
        }
        var cast = args.Select((a, i) => CastTo(a, sig.ArgTypes[i])).ToList();
        return new BoundCall(fn, cast, sig.ReturnType, sig.Invoke);
    }

    /// <summary>Casts <paramref name="e"/> to <paramref name="target"/>'s kind when it differs (keeping nullability).</summary>
    public static BoundExpr CastTo(BoundExpr e, SqlType target)
    {
        if (e.Type.SameKindAs(target) || target.Kind == TypeKind.Symbol) return e;
        if (e.Type.IsCharacter && target.IsCharacter && target.Precision == SqlType.MaxLength) return e;
        if (e is BoundLiteral { Value: null }) return new BoundLiteral(null, target.WithNullable(true));
        return new BoundCast(e, target.WithNullable(e.Type.IsNullable), false);
    }

    private BoundExpr BindCase(CaseExpr c, Scope scope)
    {
        var operand = c.Operand is null ? null : Bind(c.Operand, scope);
        var whens = new List<(BoundExpr, BoundExpr)>();
        foreach (var w in c.Whens)
        {
            var cond = operand is null ? Bind(w.When, scope) : Call("=", [operand, Bind(w.When, scope)], w.When.Position);
            if (cond.Type.Kind is not (TypeKind.Boolean or TypeKind.Null))
                throw new SqlException($"CASE WHEN condition must be BOOLEAN, got {cond.Type}", w.When.Position);
            whens.Add((cond, Bind(w.Then, scope)));
        }
        var @else = c.Else is null ? new BoundLiteral(null, SqlType.Null) : Bind(c.Else, scope);
        var types = whens.Select(w => w.Item2.Type).Append(@else.Type).ToList();
        var result = TypeCoercion.LeastRestrictive(types) ??
            throw new SqlException("CASE branches have incompatible types: " + string.Join(", ", types.Select(t => t.WithNullable(true)).Distinct()), c.Position);
        return new BoundCase(whens.Select(w => (w.Item1, CastTo(w.Item2, result))).ToList(), CastTo(@else, result), result);
    }

    private static BoundExpr FieldAccess(BoundExpr target, string field, SourcePosition position)
    {
        if (target.Type.Kind != TypeKind.Row)
            throw new SqlException($"Cannot access field '{field}' of a value of type {target.Type}", position);
        var fields = target.Type.Fields;
        var idx = fields.ToList().FindIndex(f => f.Name == field);
        if (idx < 0) idx = fields.ToList().FindIndex(f => string.Equals(f.Name, field, StringComparison.OrdinalIgnoreCase));
        if (idx < 0)
            throw new SqlException($"Field '{field}' not found in {target.Type}." + NameSuggester.Hint(field, fields.Select(f => f.Name)), position);
        var type = fields[idx].Type.WithNullable(fields[idx].Type.IsNullable || target.Type.IsNullable);
        var fn = new ScalarFunction("DOT", _ => new Signature([target.Type], type, a => ((RowValue)a[0]!).Fields[idx]));
        return new BoundCall(fn, [target], type, a => ((RowValue)a[0]!).Fields[idx]);
    }

    /// <summary>A literal with Flink's literal type.</summary>
    public static BoundLiteral BindLiteral(LiteralExpr l)
    {
        var inv = CultureInfo.InvariantCulture;
        try
        {
            switch (l.Kind)
            {
                case LiteralKind.Null: return new BoundLiteral(null, SqlType.Null);
                case LiteralKind.Boolean: return new BoundLiteral(l.Text.Equals("TRUE", StringComparison.OrdinalIgnoreCase), SqlType.Boolean.WithNullable(false));
                case LiteralKind.Integer:
                    if (int.TryParse(l.Text, NumberStyles.AllowLeadingSign, inv, out var i)) return new BoundLiteral(i, SqlType.Int.WithNullable(false));
                    if (long.TryParse(l.Text, NumberStyles.AllowLeadingSign, inv, out var lg)) return new BoundLiteral(lg, SqlType.BigInt.WithNullable(false));
                    var big = decimal.Parse(l.Text, NumberStyles.AllowLeadingSign, inv);
                    return new BoundLiteral(big, SqlType.Decimal(Math.Min(38, l.Text.TrimStart('-').Length), 0).WithNullable(false));
                case LiteralKind.Decimal:
                {
                    var m = decimal.Parse(l.Text, NumberStyles.Number, inv);
                    var t = l.Text.TrimStart('-');
                    var dot = t.IndexOf('.', StringComparison.Ordinal);
                    var scale = dot < 0 ? 0 : t.Length - dot - 1;
                    var intDigits = Math.Max(1, t[..Math.Max(0, dot)].TrimStart('0').Length);
                    return new BoundLiteral(m, SqlType.Decimal(Math.Min(38, Math.Max(intDigits + scale, 1)), scale).WithNullable(false));
                }
                case LiteralKind.Double: return new BoundLiteral(double.Parse(l.Text, NumberStyles.Float, inv), SqlType.Double.WithNullable(false));
                case LiteralKind.String: return new BoundLiteral(l.Text, SqlType.Char(l.Text.Length).WithNullable(false));
                case LiteralKind.Bytes: return new BoundLiteral(Convert.FromHexString(l.Text), SqlType.Binary(l.Text.Length / 2).WithNullable(false));
                case LiteralKind.Date: return new BoundLiteral(DateOnly.ParseExact(l.Text.Trim(), "yyyy-MM-dd", inv), SqlType.Date.WithNullable(false));
                case LiteralKind.Time: return new BoundLiteral(TimeOnly.Parse(l.Text.Trim(), inv), SqlType.TimeOf(0).WithNullable(false));
                case LiteralKind.Timestamp:
                {
                    var ts = Casts.ParseTimestamp(l.Text);
                    return new BoundLiteral(ts, SqlType.Timestamp(FractionDigits(l.Text)).WithNullable(false));
                }
                case LiteralKind.TimestampLtz:
                {
                    var ts = Casts.ParseTimestamp(l.Text);
                    return new BoundLiteral(new DateTimeOffset(DateTime.SpecifyKind(ts, DateTimeKind.Utc)), SqlType.TimestampLtz(FractionDigits(l.Text)).WithNullable(false));
                }
            }
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new SqlException($"Illegal {l.Kind.ToString().ToUpperInvariant()} literal '{l.Text}': {e.Message}", l.Position);
        }
        throw new SqlException($"Unsupported literal {l.Text}", l.Position);
    }

    private static int FractionDigits(string text)
    {
        var dot = text.LastIndexOf('.');
        return dot < 0 ? 0 : Math.Min(9, text.Length - dot - 1);
    }

    /// <summary>Converts an interval literal to a <see cref="TimeSpan"/> (day-time) or a month count (year-month).</summary>
    public static BoundLiteral BindInterval(IntervalExpr iv)
    {
        var sign = iv.Negative ? -1 : 1;
        var text = iv.Text.Trim();
        var from = iv.From;
        if (from is null)
        {
            // INTERVAL '10 minutes' / '1 day'
            var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2 || !Enum.TryParse<IntervalUnit>(parts[1].TrimEnd('s', 'S'), true, out var u))
                throw new SqlException($"Illegal interval literal '{iv.Text}': give a unit, e.g. INTERVAL '5' SECOND", iv.Position);
            text = parts[0];
            from = u;
        }
        if (text.StartsWith('-'))
        {
            sign = -sign;
            text = text[1..];
        }
        try
        {
            if (from is IntervalUnit.Year or IntervalUnit.Month)
            {
                int months;
                if (iv.To == IntervalUnit.Month && from == IntervalUnit.Year)
                {
                    var ym = text.Split('-');
                    months = int.Parse(ym[0], CultureInfo.InvariantCulture) * 12 + int.Parse(ym[1], CultureInfo.InvariantCulture);
                }
                else months = int.Parse(text, CultureInfo.InvariantCulture) * (from == IntervalUnit.Year ? 12 : 1);
                return new BoundLiteral(sign * months, SqlType.IntervalYearMonth.WithNullable(false));
            }
            TimeSpan span;
            if (iv.To is null)
            {
                var n = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
                span = from switch
                {
                    IntervalUnit.Day => TimeSpan.FromDays(n),
                    IntervalUnit.Hour => TimeSpan.FromHours(n),
                    IntervalUnit.Minute => TimeSpan.FromMinutes(n),
                    IntervalUnit.Second => TimeSpan.FromSeconds(n),
                    _ => TimeSpan.FromMilliseconds(n),
                };
            }
            else
            {
                // 'd hh:mm:ss.fff' forms for DAY TO SECOND and the like.
                var days = 0;
                var rest = text;
                if (from == IntervalUnit.Day)
                {
                    var sp = text.Split(' ', 2);
                    days = int.Parse(sp[0], CultureInfo.InvariantCulture);
                    rest = sp.Length > 1 ? sp[1] : "0";
                }
                var fields = rest.Split(':');
                double h = 0, m = 0, s = 0;
                var start = from switch { IntervalUnit.Day or IntervalUnit.Hour => 0, IntervalUnit.Minute => 1, _ => 2 };
                for (var k = 0; k < fields.Length; k++)
                {
                    var v = double.Parse(fields[k], NumberStyles.Float, CultureInfo.InvariantCulture);
                    switch (start + k)
                    {
                        case 0: h = v; break;
                        case 1: m = v; break;
                        default: s = v; break;
                    }
                }
                span = TimeSpan.FromDays(days) + TimeSpan.FromHours(h) + TimeSpan.FromMinutes(m) + TimeSpan.FromSeconds(s);
            }
            return new BoundLiteral(sign * span, SqlType.IntervalDayTime.WithNullable(false));
        }
        catch (Exception e) when (e is FormatException or OverflowException or IndexOutOfRangeException)
        {
            throw new SqlException($"Illegal interval literal '{iv.Text}'", iv.Position);
        }
    }
}
