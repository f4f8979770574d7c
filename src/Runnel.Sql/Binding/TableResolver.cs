using Runnel.Core.Errors;
using Runnel.Core.Types;
using Runnel.Sql.Ast;
using Runnel.Sql.Planning;

namespace Runnel.Sql.Binding;

/// <summary>Resolves a CREATE TABLE definition into a <see cref="ResolvedTable"/>: column types, computed column
/// expressions, metadata keys, the rowtime attribute and its watermark strategy. Also used at CREATE TABLE time to
/// validate the definition.</summary>
public static class TableResolver
{
    /// <summary>The resolved shape of <paramref name="table"/>; throws <see cref="SqlException"/> for a bad definition.</summary>
    public static ResolvedTable Resolve(CatalogTable table, ExpressionBinder binder)
    {
        ArgumentNullException.ThrowIfNull(table);
        var def = table.Definition;
        var dup = def.Columns.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new SqlException($"Column '{dup.Key}' is defined more than once in table '{table.Name}'", def.Columns.First(c => c.Name == dup.Key).Position);

        // Non-computed columns are visible to computed-column expressions at their declared positions.
        var entries = new List<Scope.Entry>();
        for (var i = 0; i < def.Columns.Count; i++)
        {
            switch (def.Columns[i])
            {
                case PhysicalColumnDef p: entries.Add(new Scope.Entry(table.Name, p.Name, i, p.Type)); break;
                case MetadataColumnDef m: entries.Add(new Scope.Entry(table.Name, m.Name, i, m.Type)); break;
            }
        }
        var baseScope = new Scope(entries);
        var columns = new List<Column>();
        var computed = new List<BoundExpr?>();
        var metadata = new List<string?>();
        var writable = new List<int>();
        var physical = new List<int>();
        for (var i = 0; i < def.Columns.Count; i++)
        {
            var c = def.Columns[i];
            switch (c)
            {
                case PhysicalColumnDef p:
                    columns.Add(new Column(p.Name, p.Type, Comment: p.Comment));
                    computed.Add(null);
                    metadata.Add(null);
                    writable.Add(i);
                    physical.Add(i);
                    break;
                case MetadataColumnDef m:
                    columns.Add(new Column(m.Name, m.Type, Comment: m.Comment));
                    computed.Add(null);
                    metadata.Add(m.Key ?? m.Name);
                    if (!m.IsVirtual) writable.Add(i);
                    break;
                case ComputedColumnDef cc:
                    var bound = binder.Bind(cc.Expression, baseScope);
                    columns.Add(new Column(cc.Name, bound.Type, Comment: cc.Comment));
                    computed.Add(bound);
                    metadata.Add(null);
                    break;
            }
        }
        var rowtime = -1;
        BoundExpr? watermark = null;
        if (def.Watermark is { } wm)
        {
            rowtime = columns.FindIndex(c => c.Name == wm.Column);
            if (rowtime < 0) rowtime = columns.FindIndex(c => string.Equals(c.Name, wm.Column, StringComparison.OrdinalIgnoreCase));
            if (rowtime < 0)
                throw new SqlException($"The rowtime attribute field '{wm.Column}' is not defined in the table schema." + NameSuggester.Hint(wm.Column, columns.Select(c => c.Name)), wm.Position);
            var t = columns[rowtime].Type;
            if (!t.IsTimestamp || t.Precision > 3)
                throw new SqlException($"Invalid data type of time field for watermark definition. The field must be of type TIMESTAMP(p) or TIMESTAMP_LTZ(p), the supported precision 'p' is from 0 to 3, but the time field type is {t}", wm.Position);
            var fullScope = new Scope(columns.Select((col, i) => new Scope.Entry(table.Name, col.Name, i, col.Type)).ToList());
            watermark = binder.Bind(wm.Strategy, fullScope);
            if (!watermark.Type.IsTimestamp)
                throw new SqlException($"Watermark strategy {SqlFormatter.Format(wm.Strategy)} must be of type TIMESTAMP or TIMESTAMP_LTZ, but is {watermark.Type}", wm.Strategy.Position);
            columns[rowtime] = columns[rowtime] with { IsRowtime = true };
        }
        if (def.PrimaryKey is { } pk)
        {
            foreach (var k in pk.Columns)
            {
                var idx = columns.FindIndex(c => c.Name == k);
                if (idx < 0 || def.Columns[idx] is not PhysicalColumnDef)
                    throw new SqlException($"Primary key column '{k}' is not a physical column of table '{table.Name}'", pk.Position);
                columns[idx] = columns[idx] with { Type = columns[idx].Type.WithNullable(false) };
            }
        }
        return new ResolvedTable
        {
            Table = table,
            Schema = new Schema(columns),
            Computed = computed,
            MetadataKeys = metadata,
            WritableColumns = writable,
            PhysicalColumns = physical,
            RowtimeIndex = rowtime,
            Watermark = watermark,
            PrimaryKey = def.PrimaryKey?.Columns,
        };
    }
}
