namespace Runnel.Sql.Ast;

/// <summary>Enumerates the direct sub-expressions of an expression node (not into subqueries).</summary>
public static class ExprWalker
{
    /// <summary>The direct sub-expressions of <paramref name="e"/>.</summary>
    public static IEnumerable<Expr> Children(Expr e) => e switch
    {
        FunctionCallExpr f => f.Args,
        BinaryExpr b => [b.Left, b.Right],
        UnaryExpr u => [u.Operand],
        CaseExpr c => (c.Operand is null ? [] : new[] { c.Operand }).Concat(c.Whens.SelectMany(w => new[] { w.When, w.Then })).Concat(c.Else is null ? [] : [c.Else]),
        CastExpr c => [c.Operand],
        BetweenExpr b => [b.Operand, b.Low, b.High],
        InListExpr i => i.Items.Prepend(i.Operand),
        LikeExpr l => l.Escape is null ? [l.Operand, l.Pattern] : [l.Operand, l.Pattern, l.Escape],
        IsExpr i => [i.Operand],
        IndexExpr i => [i.Target, i.Index],
        FieldAccessExpr f => [f.Target],
        ExtractExpr x => [x.Source],
        TrimExpr t => t.Characters is null ? [t.Source] : [t.Characters, t.Source],
        ConstructorExpr c => c.Items,
        _ => [],
    };

    /// <summary>Every node of the tree, parents before children.</summary>
    public static IEnumerable<Expr> Descendants(Expr e)
    {
        yield return e;
        foreach (var c in Children(e))
            foreach (var d in Descendants(c))
                yield return d;
    }
}
