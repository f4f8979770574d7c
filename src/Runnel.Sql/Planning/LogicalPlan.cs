using Runnel.Core.Types;
using Runnel.Sql.Binding;
using Runnel.Sql.Functions;

namespace Runnel.Sql.Planning;

/// <summary>A node of the logical plan: a relational operator with an output schema. Nodes are immutable; rules
/// build new trees. <see cref="IsBounded"/> tells whether the node's input ends; <see cref="IsUpdating"/> whether its
/// output carries retractions (-U/+U/-D) rather than only inserts.</summary>
public abstract class LogicalPlan
{
    /// <summary>The output columns.</summary>
    public abstract Schema Schema { get; }
    /// <summary>The input plans.</summary>
    public abstract IReadOnlyList<LogicalPlan> Inputs { get; }
    /// <summary>True when the output ends.</summary>
    public virtual bool IsBounded => Inputs.All(i => i.IsBounded);
    /// <summary>True when the output holds -U/+U/-D rows.</summary>
    public virtual bool IsUpdating => Inputs.Any(i => i.IsUpdating);
    /// <summary>This node over other inputs (same parameters).</summary>
    public abstract LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs);
    /// <summary>One line for EXPLAIN, e.g. <c>LogicalFilter(condition=[&gt;(score, 3)])</c>.</summary>
    public abstract string Describe();
    /// <summary>Column names of input <paramref name="i"/>.</summary>
    protected IReadOnlyList<string> InputNames(int i = 0) => Inputs[i].Schema.Names.ToList();
}

/// <summary>A table's resolved shape: physical and metadata columns in declared order plus computed columns, with
/// the bound computed-column expressions (over the non-computed columns) and the watermark.</summary>
public sealed class ResolvedTable
{
    /// <summary>The catalog table.</summary>
    public required CatalogTable Table { get; init; }
    /// <summary>Every column in declaration order (physical, metadata and computed).</summary>
    public required Schema Schema { get; init; }
    /// <summary>For each column of <see cref="Schema"/>: its bound expression if computed, else null.</summary>
    public required IReadOnlyList<BoundExpr?> Computed { get; init; }
    /// <summary>For each column: the metadata key if it is a metadata column, else null.</summary>
    public required IReadOnlyList<string?> MetadataKeys { get; init; }
    /// <summary>Columns written by INSERT (physical and non-virtual metadata columns), by index into <see cref="Schema"/>.</summary>
    public required IReadOnlyList<int> WritableColumns { get; init; }
    /// <summary>Physical columns (what the format reads and writes), by index into <see cref="Schema"/>.</summary>
    public required IReadOnlyList<int> PhysicalColumns { get; init; }
    /// <summary>Index of the rowtime column, -1 without a watermark.</summary>
    public int RowtimeIndex { get; init; } = -1;
    /// <summary>The watermark strategy bound over <see cref="Schema"/>; its value is the watermark in event time.</summary>
    public BoundExpr? Watermark { get; init; }
    /// <summary>PRIMARY KEY columns, or null.</summary>
    public IReadOnlyList<string>? PrimaryKey { get; init; }
    /// <summary>The table name.</summary>
    public string Name => Table.Name;
}

/// <summary>Reads a table.</summary>
/// <summary>Reads a table.</summary>
public sealed class LogicalTableScan(ResolvedTable table, bool bounded, BoundExpr? filter = null, IReadOnlySet<int>? usedColumns = null) : LogicalPlan
{
    /// <summary>The table.</summary>
    public ResolvedTable Table { get; } = table;
    /// <summary>True when the scan ends (batch mode or a bounded connector).</summary>
    public bool Bounded { get; } = bounded;
    /// <summary>A predicate pushed into the scan: rows failing it are dropped right after decoding.</summary>
    public BoundExpr? Filter { get; } = filter;
    /// <summary>Columns the rest of the plan reads (null: all); the format may skip decoding the others.</summary>
    public IReadOnlySet<int>? UsedColumns { get; } = usedColumns;
    /// <inheritdoc />
    public override Schema Schema => Table.Schema;
    /// <inheritdoc />
    public override IReadOnlyList<LogicalPlan> Inputs => [];
    /// <inheritdoc />
    public override bool IsBounded => Bounded;
    /// <inheritdoc />
    public override bool IsUpdating => Table.Table.Connector is "upsert-kafka";
    /// <inheritdoc />
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => this;
    /// <summary>This scan with another filter and used-column set.</summary>
    public LogicalTableScan With(BoundExpr? filter, IReadOnlySet<int>? used) => new(Table, Bounded, filter, used);
    /// <inheritdoc />
    public override string Describe()
    {
        var s = $"TableSourceScan(table=[[{CatalogNames.DefaultCatalog}, {CatalogNames.DefaultDatabase}, {Table.Name}]]";
        var names = Schema.Names.ToList();
        if (UsedColumns is not null) s += ", project=[" + string.Join(", ", UsedColumns.Order().Select(i => names[i])) + "]";
        if (Filter is not null) s += ", filter=[" + Filter.Describe(names) + "]";
        return s + ")";
    }
}

/// <summary>Literal rows (VALUES, or SELECT without FROM).</summary>
/// <summary>Literal rows (VALUES, or SELECT without FROM).</summary>
public sealed class LogicalValues(IReadOnlyList<IReadOnlyList<BoundExpr>> rows, Schema schema) : LogicalPlan
{
    /// <summary>The rows, each a list of values.</summary>
    public IReadOnlyList<IReadOnlyList<BoundExpr>> Rows { get; } = rows;
    /// <inheritdoc />
    public override Schema Schema { get; } = schema;
    /// <inheritdoc />
    public override IReadOnlyList<LogicalPlan> Inputs => [];
    /// <inheritdoc />
    public override bool IsBounded => true;
    /// <inheritdoc />
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => this;
    /// <inheritdoc />
    public override string Describe() => $"Values(tuples=[{string.Join(", ", Rows.Select(r => "{ " + string.Join(", ", r.Select(e => e.Describe([]))) + " }"))}])";
}

/// <summary>WHERE/HAVING: keeps rows whose condition is TRUE.</summary>
/// <summary>WHERE/HAVING: keeps rows whose condition is TRUE.</summary>
public sealed class LogicalFilter(LogicalPlan input, BoundExpr condition) : LogicalPlan
{
    /// <summary>The INPUT columns, or null for the default.</summary>
    public LogicalPlan Input { get; } = input;
    /// <summary>The condition.</summary>
    public BoundExpr Condition { get; } = condition;
    /// <inheritdoc />
    public override Schema Schema => Input.Schema;
    /// <inheritdoc />
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
    /// <inheritdoc />
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new LogicalFilter(inputs[0], Condition);
    /// <inheritdoc />
    public override string Describe() => $"Filter(condition=[{Condition.Describe(InputNames())}])";
}

/// <summary>Computes the output columns from each input row.</summary>
/// <summary>Computes the output columns from each input row.</summary>
public sealed class LogicalProject(LogicalPlan input, IReadOnlyList<BoundExpr> exprs, IReadOnlyList<string> names) : LogicalPlan
{
    /// <summary>The INPUT columns, or null for the default.</summary>
    public LogicalPlan Input { get; } = input;
    /// <summary>One expression per output column.</summary>
    public IReadOnlyList<BoundExpr> Exprs { get; } = exprs;
    /// <summary>Output column names.</summary>
    public IReadOnlyList<string> Names { get; } = names;
    /// <inheritdoc />
    public override Schema Schema { get; } = new(exprs.Select((e, i) => new Column(names[i], e.Type,
        e is BoundInputRef r && input.Schema[r.Index].IsRowtime)).ToList());
    /// <inheritdoc />
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
    /// <inheritdoc />
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new LogicalProject(inputs[0], Exprs, Names);
    /// <summary>True when every input column passes through unchanged under its name.</summary>
    public bool IsIdentity => Exprs.Count == Input.Schema.Count && Exprs.Select((e, i) => e is BoundInputRef r && r.Index == i).All(b => b)
        && Names.SequenceEqual(Input.Schema.Names);
    /// <inheritdoc />
    public override string Describe()
    {
        var names = InputNames();
        return "Calc(select=[" + string.Join(", ", Exprs.Select((e, i) => e is BoundInputRef r && names[r.Index] == Names[i] ? Names[i] : $"{e.Describe(names)} AS {Names[i]}")) + "])";
    }
}

/// <summary>An aggregate call over input columns.</summary>
public sealed record AggregateCall(AggregateFunction Function, IReadOnlyList<int> Args, bool Distinct, SqlType Type, string Name)
{
    /// <summary><c>FN(args)</c> with input column names.</summary>
    public string Describe(IReadOnlyList<string> names) =>
        $"{Function.Name}({(Distinct ? "DISTINCT " : "")}{string.Join(", ", Args.Select(a => names[a]))})";
}

/// <summary>GROUP BY: output is the group columns followed by one column per aggregate call. In streaming mode over
/// unbounded input the output is updating.</summary>
public sealed class LogicalAggregate(LogicalPlan input, IReadOnlyList<int> groupKeys, IReadOnlyList<AggregateCall> aggregates, bool streaming) : LogicalPlan
{
    /// <summary>The INPUT columns, or null for the default.</summary>
    public LogicalPlan Input { get; } = input;
    /// <summary>Group-key columns of the input.</summary>
    public IReadOnlyList<int> GroupKeys { get; } = groupKeys;
    /// <summary>The aggregate calls, one output column each after the group keys.</summary>
    public IReadOnlyList<AggregateCall> Aggregates { get; } = aggregates;
    /// <summary>True in streaming mode: emit a changelog as input arrives; false in batch: emit once at the end.</summary>
    public bool Streaming { get; } = streaming;
    /// <inheritdoc />
    public override Schema Schema { get; } = new(groupKeys.Select(k => input.Schema[k] with { IsRowtime = false })
        .Concat(aggregates.Select(a => new Column(a.Name, a.Type))).ToList());
    /// <inheritdoc />
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
    /// <inheritdoc />
    public override bool IsUpdating => Streaming || Input.IsUpdating;
    /// <inheritdoc />
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new LogicalAggregate(inputs[0], GroupKeys, Aggregates, Streaming);
    /// <inheritdoc />
    public override string Describe()
    {
        var names = InputNames();
        return $"{(Streaming ? "GroupAggregate" : "HashAggregate")}(groupBy=[{string.Join(", ", GroupKeys.Select(k => names[k]))}], select=[{string.Join(", ", GroupKeys.Select(k => names[k]).Concat(Aggregates.Select(a => a.Describe(names) + " AS " + a.Name)))}])";
    }
}

/// <summary>Window table-valued functions.</summary>
public enum WindowKind

{

    /// <summary>TUMBLE</summary>
    Tumble,

    /// <summary>HOP</summary>
    Hop,

    /// <summary>CUMULATE</summary>
    Cumulate,

}

/// <summary>A window table-valued function's parameters; sizes in milliseconds.</summary>
public sealed record WindowSpec(WindowKind Kind, int TimeColumn, long SizeMs, long SlideMs, long OffsetMs)
{
    /// <summary>Text for EXPLAIN.</summary>
    public string Describe(IReadOnlyList<string> names) => Kind switch
    {
        WindowKind.Tumble => $"TUMBLE(time_col=[{names[TimeColumn]}], size=[{Format(SizeMs)}])",
        WindowKind.Hop => $"HOP(time_col=[{names[TimeColumn]}], size=[{Format(SizeMs)}], slide=[{Format(SlideMs)}])",
        _ => $"CUMULATE(time_col=[{names[TimeColumn]}], max_size=[{Format(SizeMs)}], step=[{Format(SlideMs)}])",
    };

    private static string Format(long ms) => ms % 3_600_000 == 0 ? $"{ms / 3_600_000} h" : ms % 60_000 == 0 ? $"{ms / 60_000} min" : ms % 1000 == 0 ? $"{ms / 1000} s" : $"{ms} ms";
}

/// <summary>TUMBLE/HOP/CUMULATE: each input row joined with the windows it falls in, adding
/// <c>window_start</c>, <c>window_end</c> (TIMESTAMP(3)) and <c>window_time</c> (the rowtime attribute).</summary>
public sealed class LogicalWindowTableFunction(LogicalPlan input, WindowSpec window) : LogicalPlan
{
    /// <summary>The INPUT columns, or null for the default.</summary>
    public LogicalPlan Input { get; } = input;
    /// <summary>The window.</summary>
    public WindowSpec Window { get; } = window;
    /// <inheritdoc />
    public override Schema Schema { get; } = new(input.Schema.Columns.Select(c => c with { IsRowtime = false })
        .Concat([
            new Column("window_start", SqlType.Timestamp(3).WithNullable(false)),
            new Column("window_end", SqlType.Timestamp(3).WithNullable(false)),
            new Column("window_time", input.Schema[window.TimeColumn].Type.WithNullable(false), IsRowtime: true),
        ]).ToList());
    /// <inheritdoc />
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
    /// <inheritdoc />
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new LogicalWindowTableFunction(inputs[0], Window);
    /// <inheritdoc />
    public override string Describe() => $"WindowTableFunction(window=[{Window.Describe(InputNames())}])";
}

/// <summary>A GROUP BY over a window TVF's window_start/window_end: emits each window's final rows once the
/// watermark passes its end (append-only output), or at end of input.</summary>
public sealed class LogicalWindowAggregate(LogicalPlan input, WindowSpec window, IReadOnlyList<int> groupKeys,
    IReadOnlyList<AggregateCall> aggregates, IReadOnlyList<string> outputNames) : LogicalPlan
{
    /// <summary>The rows before windowing (window columns not yet added).</summary>
    public LogicalPlan Input { get; } = input;
    /// <summary>The window.</summary>
    public WindowSpec Window { get; } = window;
    /// <summary>Non-window group keys, by input index.</summary>
    public IReadOnlyList<int> GroupKeys { get; } = groupKeys;
    /// <summary>The aggregate calls.</summary>
    public IReadOnlyList<AggregateCall> Aggregates { get; } = aggregates;
    /// <summary>Output: group keys, window_start, window_end, window_time, aggregates.</summary>
    public override Schema Schema { get; } = new(groupKeys.Select(k => input.Schema[k] with { IsRowtime = false })
        .Concat([
            new Column("window_start", SqlType.Timestamp(3).WithNullable(false)),
            new Column("window_end", SqlType.Timestamp(3).WithNullable(false)),
            new Column("window_time", input.Schema[window.TimeColumn].Type.WithNullable(false), IsRowtime: true),
        ])
        .Concat(aggregates.Select(a => new Column(a.Name, a.Type))).ToList());
    /// <summary>Names of the output columns, when renamed.</summary>
    public IReadOnlyList<string> OutputNames { get; } = outputNames;
    /// <inheritdoc />
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
    /// <inheritdoc />
    public override bool IsUpdating => false;
    /// <inheritdoc />
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new LogicalWindowAggregate(inputs[0], Window, GroupKeys, Aggregates, OutputNames);
    /// <inheritdoc />
    public override string Describe()
    {
        var names = InputNames();
        return $"WindowAggregate(groupBy=[{string.Join(", ", GroupKeys.Select(k => names[k]))}], window=[{Window.Describe(names)}], select=[{string.Join(", ", GroupKeys.Select(k => names[k]).Concat(["start('w$)", "end('w$)"]).Concat(Aggregates.Select(a => a.Describe(names) + " AS " + a.Name)))}])";
    }
}

/// <summary>Join semantics.</summary>
public enum LogicalJoinKind

{

    /// <summary>Matching pairs only.</summary>
    Inner,

    /// <summary>Every left row, NULL-padded when unmatched.</summary>
    Left,

    /// <summary>Every right row, NULL-padded when unmatched.</summary>
    Right,

    /// <summary>Every row of both sides.</summary>
    Full,

}

/// <summary>An equi-join: rows match when <see cref="LeftKeys"/>[i] equals <see cref="RightKeys"/>[i] for all i (NULL
/// never matches), then <see cref="Residual"/> (over left columns followed by right columns) holds.</summary>
public sealed class LogicalJoin(LogicalPlan left, LogicalPlan right, LogicalJoinKind kind, IReadOnlyList<int> leftKeys,
    IReadOnlyList<int> rightKeys, BoundExpr? residual, bool streaming) : LogicalPlan
{
    /// <summary>The left side.</summary>
    public LogicalPlan Left { get; } = left;
    /// <summary>The right side.</summary>
    public LogicalPlan Right { get; } = right;
    /// <summary>Which kind.</summary>
    public LogicalJoinKind Kind { get; } = kind;
    /// <summary>Equality key columns of the left input.</summary>
    public IReadOnlyList<int> LeftKeys { get; } = leftKeys;
    /// <summary>Equality key columns of the right input, paired with <see cref="LeftKeys"/>.</summary>
    public IReadOnlyList<int> RightKeys { get; } = rightKeys;
    /// <summary>Non-equality conditions over the joined row, or null.</summary>
    public BoundExpr? Residual { get; } = residual;
    /// <summary>True in streaming mode (keyed state, changelog output).</summary>
    public bool Streaming { get; } = streaming;
    /// <inheritdoc />
    public override Schema Schema { get; } = new(
        left.Schema.Columns.Select(c => c with { IsRowtime = false, Type = kind is LogicalJoinKind.Right or LogicalJoinKind.Full ? c.Type.WithNullable(true) : c.Type })
        .Concat(right.Schema.Columns.Select(c => c with { IsRowtime = false, Type = kind is LogicalJoinKind.Left or LogicalJoinKind.Full ? c.Type.WithNullable(true) : c.Type })).ToList());
    /// <inheritdoc />
    public override IReadOnlyList<LogicalPlan> Inputs => [Left, Right];
    /// <inheritdoc />
    public override bool IsUpdating => base.IsUpdating || (Streaming && Kind != LogicalJoinKind.Inner);
    /// <inheritdoc />
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new LogicalJoin(inputs[0], inputs[1], Kind, LeftKeys, RightKeys, Residual, Streaming);
    /// <inheritdoc />
    public override string Describe()
    {
        var l = Left.Schema.Names.ToList();
        var r = Right.Schema.Names.ToList();
        var all = Schema.Names.ToList();
        var cond = string.Join(" AND ", LeftKeys.Select((k, i) => $"=({l[k]}, {r[RightKeys[i]]})"));
        if (Residual is not null) cond += (cond.Length > 0 ? " AND " : "") + Residual.Describe(all);
        return $"Join(joinType=[{Kind.ToString().ToUpperInvariant()}], where=[{(cond.Length == 0 ? "true" : cond)}])";
    }
}

/// <summary>What a correlate (lateral join) calls per input row.</summary>
public abstract record CorrelatedFunction
{
    /// <summary>The columns the function adds to each input row.</summary>
    public abstract IReadOnlyList<Column> Columns { get; }
    /// <summary>Text for EXPLAIN.</summary>
    public abstract string Describe(IReadOnlyList<string> names);
}

/// <summary>UNNEST of an array (one row per element; ROW elements are flattened) or a map (key, value rows).</summary>
public sealed record UnnestFunction(BoundExpr Collection, bool WithOrdinality, IReadOnlyList<Column> OutputColumns) : CorrelatedFunction
{
    /// <inheritdoc />
    public override IReadOnlyList<Column> Columns => OutputColumns;
    /// <inheritdoc />
    public override string Describe(IReadOnlyList<string> names) => $"UNNEST({Collection.Describe(names)})";
}

/// <summary>A lateral table function call other than UNNEST; the execution layer resolves <see cref="Name"/> in its
/// table-function registry (model inference functions plug in here).</summary>
public sealed record TableFunctionCall(string Name, IReadOnlyList<BoundExpr> Args, IReadOnlyList<Column> OutputColumns, object? Payload = null) : CorrelatedFunction
{
    /// <inheritdoc />
    public override IReadOnlyList<Column> Columns => OutputColumns;
    /// <inheritdoc />
    public override string Describe(IReadOnlyList<string> names) => $"{Name}({string.Join(", ", Args.Select(a => a.Describe(names)))})";
}

/// <summary>A lateral join of each input row with the rows of a function of it; output is the input columns followed
/// by the function's columns. <see cref="Outer"/>: a row with no function rows is kept with NULLs (LEFT JOIN .. ON TRUE).</summary>
public sealed class LogicalCorrelate(LogicalPlan input, CorrelatedFunction function, bool outer) : LogicalPlan
{
    /// <summary>The INPUT columns, or null for the default.</summary>
    public LogicalPlan Input { get; } = input;
    /// <summary>The aggregate function.</summary>
    public CorrelatedFunction Function { get; } = function;
    /// <summary>True for LEFT JOIN .. ON TRUE: keep rows the function returns nothing for.</summary>
    public bool Outer { get; } = outer;
    /// <inheritdoc />
    public override Schema Schema { get; } = new(input.Schema.Columns.Concat(function.Columns.Select(c => outer ? c with { Type = c.Type.WithNullable(true) } : c)).ToList());
    /// <inheritdoc />
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
    /// <inheritdoc />
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new LogicalCorrelate(inputs[0], Function, Outer);
    /// <inheritdoc />
    public override string Describe() => $"Correlate(invocation=[{Function.Describe(InputNames())}], joinType=[{(Outer ? "LEFT" : "INNER")}])";
}

/// <summary>UNION ALL of inputs with the same columns.</summary>
/// <summary>UNION ALL of inputs with the same columns.</summary>
public sealed class LogicalUnion(IReadOnlyList<LogicalPlan> inputs, Schema schema) : LogicalPlan
{
    /// <inheritdoc />
    public override Schema Schema { get; } = schema;
    /// <inheritdoc />
    public override IReadOnlyList<LogicalPlan> Inputs { get; } = inputs;
    /// <inheritdoc />
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new LogicalUnion(inputs, Schema);
    /// <inheritdoc />
    public override string Describe() => "Union(all=[true], union=[" + string.Join(", ", Schema.Names) + "])";
}

/// <summary>One sort key.</summary>
/// <summary>Index of the column sorted by.</summary>
/// <summary>True for DESC.</summary>
/// <summary>True when NULLs come first.</summary>
/// <summary>One sort key.</summary>
public sealed record SortKey(int Column, bool Descending, bool NullsFirst);

/// <summary>ORDER BY with optional LIMIT/OFFSET (or LIMIT alone, with no keys). On bounded input the rows are emitted
/// at end of input; in streaming mode with a LIMIT it is a Top-N with an updating result.</summary>
public sealed class LogicalSort(LogicalPlan input, IReadOnlyList<SortKey> keys, long? limit, long offset, bool streaming) : LogicalPlan
{
    /// <summary>The INPUT columns, or null for the default.</summary>
    public LogicalPlan Input { get; } = input;
    /// <summary>Sort keys (empty for LIMIT alone).</summary>
    public IReadOnlyList<SortKey> Keys { get; } = keys;
    /// <summary>The LIMIT, or null.</summary>
    public long? Limit { get; } = limit;
    /// <summary>The OFFSET, or null.</summary>
    public long Offset { get; } = offset;
    /// <summary>True for a streaming Top-N over unbounded input.</summary>
    public bool Streaming { get; } = streaming;
    /// <inheritdoc />
    public override Schema Schema => Input.Schema;
    /// <inheritdoc />
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
    /// <inheritdoc />
    public override bool IsUpdating => base.IsUpdating || (Streaming && Keys.Count > 0);
    /// <inheritdoc />
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new LogicalSort(inputs[0], Keys, Limit, Offset, Streaming);
    /// <inheritdoc />
    public override string Describe()
    {
        var names = InputNames();
        var s = Keys.Count == 0 ? "Limit(" : "Sort(orderBy=[" + string.Join(", ", Keys.Select(k => names[k.Column] + (k.Descending ? " DESC" : " ASC"))) + "]";
        if (Limit is not null) s += (Keys.Count == 0 ? "" : ", ") + $"fetch=[{Limit}]";
        if (Offset > 0) s += $", offset=[{Offset}]";
        return s + ")";
    }
}

/// <summary>INSERT INTO: writes the input (already cast to the table's writable columns) to a table.</summary>
public sealed class LogicalSink(LogicalPlan input, ResolvedTable target, bool overwrite = false) : LogicalPlan
{
    /// <summary>The INPUT columns, or null for the default.</summary>
    public LogicalPlan Input { get; } = input;
    /// <summary>The table written to.</summary>
    public ResolvedTable Target { get; } = target;
    /// <summary>INSERT OVERWRITE: the sink replaces the table's contents when it commits (bounded jobs only).</summary>
    public bool Overwrite { get; } = overwrite;
    /// <inheritdoc />
    public override Schema Schema => Input.Schema;
    /// <inheritdoc />
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
    /// <inheritdoc />
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new LogicalSink(inputs[0], Target, Overwrite);
    /// <inheritdoc />
    public override string Describe() => $"{(Overwrite ? "Overwrite" : "")}Sink(table=[[{CatalogNames.DefaultCatalog}, {CatalogNames.DefaultDatabase}, {Target.Name}]], fields=[{string.Join(", ", Schema.Names)}])";
}
