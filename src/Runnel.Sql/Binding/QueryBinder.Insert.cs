using Runnel.Core.Errors;
using Runnel.Core.Types;
using Runnel.Sql.Ast;
using Runnel.Sql.Functions;
using Runnel.Sql.Planning;

namespace Runnel.Sql.Binding;

public sealed partial class QueryBinder
{
    /// <summary>Binds INSERT INTO: the query's columns are matched to the target's writable columns by position (or
    /// by the explicit column list, missing columns getting NULL) and implicitly cast; an updating query into a sink
    /// that cannot take updates is an error, as in Flink.</summary>
    public LogicalSink BindInsert(InsertStatement insert, CatalogTable target)
    {
        ArgumentNullException.ThrowIfNull(insert);
        var resolved = ResolveTable(target);
        var source = BindQuery(insert.Source);
        var writable = resolved.WritableColumns;
        var targetCols = writable.Select(i => resolved.Schema[i]).ToList();
        var exprs = new List<BoundExpr>();
        var qualified = $"{CatalogNames.DefaultCatalog}.{CatalogNames.DefaultDatabase}.{target.Name}";
        string Mismatch(string cause) =>
            $"Column types of query result and sink for '{qualified}' do not match.\nCause: {cause}\n\nQuery schema: [{string.Join(", ", source.Schema.Columns.Select(c => $"{c.Name}: {c.Type}"))}]\nSink schema:  [{string.Join(", ", targetCols.Select(c => $"{c.Name}: {c.Type}"))}]";

        if (insert.Columns is null)
        {
            if (source.Schema.Count != targetCols.Count)
                throw new SqlException(Mismatch($"Different number of columns."), insert.Position);
            for (var i = 0; i < targetCols.Count; i++)
                exprs.Add(CastForSink(new BoundInputRef(i, source.Schema[i].Type), targetCols[i], i, Mismatch, insert));
        }
        else
        {
            if (insert.Columns.Count != source.Schema.Count)
                throw new SqlException(Mismatch($"The column list names {insert.Columns.Count} columns but the query has {source.Schema.Count}."), insert.Position);
            for (var i = 0; i < targetCols.Count; i++)
            {
                var pos = insert.Columns.ToList().FindIndex(c => string.Equals(c, targetCols[i].Name, StringComparison.OrdinalIgnoreCase));
                if (pos < 0)
                {
                    if (!targetCols[i].Type.IsNullable)
                        throw new SqlException($"Column '{targetCols[i].Name}' is NOT NULL and must be given in the INSERT column list", insert.Position);
                    exprs.Add(new BoundLiteral(null, targetCols[i].Type.WithNullable(true)));
                }
                else exprs.Add(CastForSink(new BoundInputRef(pos, source.Schema[pos].Type), targetCols[i], i, Mismatch, insert));
            }
            foreach (var c in insert.Columns)
                if (!targetCols.Any(t => string.Equals(t.Name, c, StringComparison.OrdinalIgnoreCase)))
                    throw new SqlException($"Unknown target column '{c}' in table '{target.Name}'." + NameSuggester.Hint(c, targetCols.Select(t => t.Name)), insert.Position);
        }
        if (source.IsUpdating && !_ctx.Capabilities.AcceptsUpdates(target))
            throw new SqlException($"Table sink '{qualified}' doesn't support consuming update changes which is produced by the query (an aggregate, outer join or Top-N over an unbounded input). Write to a table with the 'print' or 'upsert-kafka' connector, a managed table, or run in batch mode.", insert.Position);
        var project = new LogicalProject(source, exprs, targetCols.Select(c => c.Name).ToList());
        if (insert.Overwrite && !source.IsBounded)
            throw new SqlException("INSERT OVERWRITE needs a bounded input (batch mode or bounded sources)", insert.Position);
        return new LogicalSink(project, resolved, insert.Overwrite);
    }

    private static BoundExpr CastForSink(BoundExpr e, Column target, int position, Func<string, string> mismatch, InsertStatement insert)
    {
        if (e.Type.SameKindAs(target.Type)) return e;
        if (TypeCoercion.CanImplicitlyCast(e.Type, target.Type) || (e.Type.IsCharacter && target.Type.IsCharacter) || e.Type.Kind == TypeKind.Null)
            return e.Type.Kind == TypeKind.Null ? new BoundLiteral(null, target.Type.WithNullable(true)) : new BoundCast(e, target.Type.WithNullable(e.Type.IsNullable), false);
        throw new SqlException(mismatch($"Incompatible types for sink column '{target.Name}' at position {position}."), insert.Position);
    }
}
