using Runnel.Core.Types;
using Runnel.Sql.Binding;
using Runnel.Sql.Functions;

namespace Runnel.Sql.Planning;

/// <summary>A node of the logical plan: a relational operator with an output schema. Nodes are immutable; rules
/// build new trees. <see cref="IsBounded"/> tells whether the node's input ends; <see cref="IsUpdating"/> whether its
/// output carries retractions (-U/+U/-D) rather than only inserts.</summary>
public abstract class LogicalPlan
{
    public abstract Schema Schema { get; }
    public abstract IReadOnlyList<LogicalPlan> Inputs { get; }
    public virtual bool IsBounded => Inputs.All(i => i.IsBounded);
    public virtual bool IsUpdating => Inputs.Any(i => i.IsUpdating);
    public abstract LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs);
    /// <summary>One line for EXPLAIN, e.g. <c>LogicalFilter(condition=[&gt;(score, 3)])</c>.</summary>
    public abstract string Describe();
    protected IReadOnlyList<string> InputNames(int i = 0) => Inputs[i].Schema.Names.ToList();
}

/// <summary>A table's resolved shape: physical and metadata columns in declared order plus computed columns, with
/// the bound computed-column expressions (over the non-computed columns) and the watermark.</summary>
public sealed class ResolvedTable
{
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
    public int RowtimeIndex { get; init; } = -1;
    /// <summary>The watermark strategy bound over <see cref="Schema"/>; its value is the watermark in event time.</summary>
    public BoundExpr? Watermark { get; init; }
    public IReadOnlyList<string>? PrimaryKey { get; init; }
    public string Name => Table.Name;
}

public sealed class LogicalTableScan(ResolvedTable table, bool bounded, BoundExpr? filter = null, IReadOnlySet<int>? usedColumns = null) : LogicalPlan
{
    public ResolvedTable Table { get; } = table;
    public bool Bounded { get; } = bounded;
    /// <summary>A predicate pushed into the scan: rows failing it are dropped right after decoding.</summary>
    public BoundExpr? Filter { get; } = filter;
    /// <summary>Columns the rest of the plan reads (null: all); the format may skip decoding the others.</summary>
    public IReadOnlySet<int>? UsedColumns { get; } = usedColumns;
    public override Schema Schema => Table.Schema;
    public override IReadOnlyList<LogicalPlan> Inputs => [];
    public override bool IsBounded => Bounded;
    public override bool IsUpdating => Table.Table.Connector is "upsert-kafka";
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => this;
    public LogicalTableScan With(BoundExpr? filter, IReadOnlySet<int>? used) => new(Table, Bounded, filter, used);
    public override string Describe()
    {
        var s = $"TableSourceScan(table=[[{CatalogNames.DefaultCatalog}, {CatalogNames.DefaultDatabase}, {Table.Name}]]";
        var names = Schema.Names.ToList();
        if (UsedColumns is not null) s += ", project=[" + string.Join(", ", UsedColumns.Order().Select(i => names[i])) + "]";
        if (Filter is not null) s += ", filter=[" + Filter.Describe(names) + "]";
        return s + ")";
    }
}

public sealed class LogicalValues(IReadOnlyList<IReadOnlyList<BoundExpr>> rows, Schema schema) : LogicalPlan
{
    public IReadOnlyList<IReadOnlyList<BoundExpr>> Rows { get; } = rows;
    public override Schema Schema { get; } = schema;
    public override IReadOnlyList<LogicalPlan> Inputs => [];
    public override bool IsBounded => true;
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => this;
    public override string Describe() => $"Values(tuples=[{string.Join(", ", Rows.Select(r => "{ " + string.Join(", ", r.Select(e => e.Describe([]))) + " }"))}])";
}

public sealed class LogicalFilter(LogicalPlan input, BoundExpr condition) : LogicalPlan
{
    public LogicalPlan Input { get; } = input;
    public BoundExpr Condition { get; } = condition;
    public override Schema Schema => Input.Schema;
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new LogicalFilter(inputs[0], Condition);
    public override string Describe() => $"Filter(condition=[{Condition.Describe(InputNames())}])";
}

public sealed class LogicalProject(LogicalPlan input, IReadOnlyList<BoundExpr> exprs, IReadOnlyList<string> names) : LogicalPlan
{
    public LogicalPlan Input { get; } = input;
    public IReadOnlyList<BoundExpr> Exprs { get; } = exprs;
    public IReadOnlyList<string> Names { get; } = names;
    public override Schema Schema { get; } = new(exprs.Select((e, i) => new Column(names[i], e.Type,
        e is BoundInputRef r && input.Schema[r.Index].IsRowtime)).ToList());
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new LogicalProject(inputs[0], Exprs, Names);
    public bool IsIdentity => Exprs.Count == Input.Schema.Count && Exprs.Select((e, i) => e is BoundInputRef r && r.Index == i).All(b => b)
        && Names.SequenceEqual(Input.Schema.Names);
    public override string Describe()
    {
        var names = InputNames();
        return "Calc(select=[" + string.Join(", ", Exprs.Select((e, i) => e is BoundInputRef r && names[r.Index] == Names[i] ? Names[i] : $"{e.Describe(names)} AS {Names[i]}")) + "])";
    }
}

/// <summary>An aggregate call over input columns.</summary>
public sealed record AggregateCall(AggregateFunction Function, IReadOnlyList<int> Args, bool Distinct, SqlType Type, string Name)
{
    public string Describe(IReadOnlyList<string> names) =>
        $"{Function.Name}({(Distinct ? "DISTINCT " : "")}{string.Join(", ", Args.Select(a => names[a]))})";
}

/// <summary>GROUP BY: output is the group columns followed by one column per aggregate call. In streaming mode over
/// unbounded input the output is updating.</summary>
public sealed class LogicalAggregate(LogicalPlan input, IReadOnlyList<int> groupKeys, IReadOnlyList<AggregateCall> aggregates, bool streaming) : LogicalPlan
{
    public LogicalPlan Input { get; } = input;
    public IReadOnlyList<int> GroupKeys { get; } = groupKeys;
    public IReadOnlyList<AggregateCall> Aggregates { get; } = aggregates;
    /// <summary>True in streaming mode: emit a changelog as input arrives; false in batch: emit once at the end.</summary>
    public bool Streaming { get; } = streaming;
    public override Schema Schema { get; } = new(groupKeys.Select(k => input.Schema[k] with { IsRowtime = false })
        .Concat(aggregates.Select(a => new Column(a.Name, a.Type))).ToList());
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
    public override bool IsUpdating => Streaming || Input.IsUpdating;
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new LogicalAggregate(inputs[0], GroupKeys, Aggregates, Streaming);
    public override string Describe()
    {
        var names = InputNames();
        return $"{(Streaming ? "GroupAggregate" : "HashAggregate")}(groupBy=[{string.Join(", ", GroupKeys.Select(k => names[k]))}], select=[{string.Join(", ", GroupKeys.Select(k => names[k]).Concat(Aggregates.Select(a => a.Describe(names) + " AS " + a.Name)))}])";
    }
}

public enum WindowKind { Tumble, Hop, Cumulate }

/// <summary>A window table-valued function's parameters; sizes in milliseconds.</summary>
public sealed record WindowSpec(WindowKind Kind, int TimeColumn, long SizeMs, long SlideMs, long OffsetMs)
{
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
    public LogicalPlan Input { get; } = input;
    public WindowSpec Window { get; } = window;
    public override Schema Schema { get; } = new(input.Schema.Columns.Select(c => c with { IsRowtime = false })
        .Concat([
            new Column("window_start", SqlType.Timestamp(3).WithNullable(false)),
            new Column("window_end", SqlType.Timestamp(3).WithNullable(false)),
            new Column("window_time", input.Schema[window.TimeColumn].Type.WithNullable(false), IsRowtime: true),
        ]).ToList());
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new LogicalWindowTableFunction(inputs[0], Window);
    public override string Describe() => $"WindowTableFunction(window=[{Window.Describe(InputNames())}])";
}

/// <summary>A GROUP BY over a window TVF's window_start/window_end: emits each window's final rows once the
/// watermark passes its end (append-only output), or at end of input.</summary>
public sealed class LogicalWindowAggregate(LogicalPlan input, WindowSpec window, IReadOnlyList<int> groupKeys,
    IReadOnlyList<AggregateCall> aggregates, IReadOnlyList<string> outputNames) : LogicalPlan
{
    /// <summary>The rows before windowing (window columns not yet added).</summary>
    public LogicalPlan Input { get; } = input;
    public WindowSpec Window { get; } = window;
    /// <summary>Non-window group keys, by input index.</summary>
    public IReadOnlyList<int> GroupKeys { get; } = groupKeys;
    public IReadOnlyList<AggregateCall> Aggregates { get; } = aggregates;
    /// <summary>Output: group keys, window_start, window_end, window_time, aggregates.</summary>
    public override Schema Schema { get; } = new(groupKeys.Select(k => input.Schema[k] with { IsRowtime = false })
        .Concat([
            new Column("window_start", SqlType.Timestamp(3).WithNullable(false)),
            new Column("window_end", SqlType.Timestamp(3).WithNullable(false)),
            new Column("window_time", input.Schema[window.TimeColumn].Type.WithNullable(false), IsRowtime: true),
        ])
        .Concat(aggregates.Select(a => new Column(a.Name, a.Type))).ToList());
    public IReadOnlyList<string> OutputNames { get; } = outputNames;
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
    public override bool IsUpdating => false;
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new LogicalWindowAggregate(inputs[0], Window, GroupKeys, Aggregates, OutputNames);
    public override string Describe()
    {
        var names = InputNames();
        return $"WindowAggregate(groupBy=[{string.Join(", ", GroupKeys.Select(k => names[k]))}], window=[{Window.Describe(names)}], select=[{string.Join(", ", GroupKeys.Select(k => names[k]).Concat(["start('w$)", "end('w$)"]).Concat(Aggregates.Select(a => a.Describe(names) + " AS " + a.Name)))}])";
    }
}

public enum LogicalJoinKind { Inner, Left, Right, Full }

/// <summary>An equi-join: rows match when <see cref="LeftKeys"/>[i] equals <see cref="RightKeys"/>[i] for all i (NULL
/// never matches), then <see cref="Residual"/> (over left columns followed by right columns) holds.</summary>
public sealed class LogicalJoin(LogicalPlan left, LogicalPlan right, LogicalJoinKind kind, IReadOnlyList<int> leftKeys,
    IReadOnlyList<int> rightKeys, BoundExpr? residual, bool streaming) : LogicalPlan
{
    public LogicalPlan Left { get; } = left;
    public LogicalPlan Right { get; } = right;
    public LogicalJoinKind Kind { get; } = kind;
    public IReadOnlyList<int> LeftKeys { get; } = leftKeys;
    public IReadOnlyList<int> RightKeys { get; } = rightKeys;
    public BoundExpr? Residual { get; } = residual;
    public bool Streaming { get; } = streaming;
    public override Schema Schema { get; } = new(
        left.Schema.Columns.Select(c => c with { IsRowtime = false, Type = kind is LogicalJoinKind.Right or LogicalJoinKind.Full ? c.Type.WithNullable(true) : c.Type })
        .Concat(right.Schema.Columns.Select(c => c with { IsRowtime = false, Type = kind is LogicalJoinKind.Left or LogicalJoinKind.Full ? c.Type.WithNullable(true) : c.Type })).ToList());
    public override IReadOnlyList<LogicalPlan> Inputs => [Left, Right];
    public override bool IsUpdating => base.IsUpdating || (Streaming && Kind != LogicalJoinKind.Inner);
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new LogicalJoin(inputs[0], inputs[1], Kind, LeftKeys, RightKeys, Residual, Streaming);
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
    public abstract string Describe(IReadOnlyList<string> names);
}

/// <summary>UNNEST of an array (one row per element; ROW elements are flattened) or a map (key, value rows).</summary>
public sealed record UnnestFunction(BoundExpr Collection, bool WithOrdinality, IReadOnlyList<Column> OutputColumns) : CorrelatedFunction
{
    public override IReadOnlyList<Column> Columns => OutputColumns;
    public override string Describe(IReadOnlyList<string> names) => $"UNNEST({Collection.Describe(names)})";
}

/// <summary>A lateral table function call other than UNNEST; the execution layer resolves <see cref="Name"/> in its
/// table-function registry (model inference functions plug in here).</summary>
public sealed record TableFunctionCall(string Name, IReadOnlyList<BoundExpr> Args, IReadOnlyList<Column> OutputColumns, object? Payload = null) : CorrelatedFunction
{
    public override IReadOnlyList<Column> Columns => OutputColumns;
    public override string Describe(IReadOnlyList<string> names) => $"{Name}({string.Join(", ", Args.Select(a => a.Describe(names)))})";
}

/// <summary>A lateral join of each input row with the rows of a function of it; output is the input columns followed
/// by the function's columns. <see cref="Outer"/>: a row with no function rows is kept with NULLs (LEFT JOIN .. ON TRUE).</summary>
public sealed class LogicalCorrelate(LogicalPlan input, CorrelatedFunction function, bool outer) : LogicalPlan
{
    public LogicalPlan Input { get; } = input;
    public CorrelatedFunction Function { get; } = function;
    public bool Outer { get; } = outer;
    public override Schema Schema { get; } = new(input.Schema.Columns.Concat(function.Columns.Select(c => outer ? c with { Type = c.Type.WithNullable(true) } : c)).ToList());
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new LogicalCorrelate(inputs[0], Function, Outer);
    public override string Describe() => $"Correlate(invocation=[{Function.Describe(InputNames())}], joinType=[{(Outer ? "LEFT" : "INNER")}])";
}

public sealed class LogicalUnion(IReadOnlyList<LogicalPlan> inputs, Schema schema) : LogicalPlan
{
    public override Schema Schema { get; } = schema;
    public override IReadOnlyList<LogicalPlan> Inputs { get; } = inputs;
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new LogicalUnion(inputs, Schema);
    public override string Describe() => "Union(all=[true], union=[" + string.Join(", ", Schema.Names) + "])";
}

public sealed record SortKey(int Column, bool Descending, bool NullsFirst);

/// <summary>ORDER BY with optional LIMIT/OFFSET (or LIMIT alone, with no keys). On bounded input the rows are emitted
/// at end of input; in streaming mode with a LIMIT it is a Top-N with an updating result.</summary>
public sealed class LogicalSort(LogicalPlan input, IReadOnlyList<SortKey> keys, long? limit, long offset, bool streaming) : LogicalPlan
{
    public LogicalPlan Input { get; } = input;
    public IReadOnlyList<SortKey> Keys { get; } = keys;
    public long? Limit { get; } = limit;
    public long Offset { get; } = offset;
    public bool Streaming { get; } = streaming;
    public override Schema Schema => Input.Schema;
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
    public override bool IsUpdating => base.IsUpdating || (Streaming && Keys.Count > 0);
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new LogicalSort(inputs[0], Keys, Limit, Offset, Streaming);
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
    public LogicalPlan Input { get; } = input;
    public ResolvedTable Target { get; } = target;
    /// <summary>INSERT OVERWRITE: the sink replaces the table's contents when it commits (bounded jobs only).</summary>
    public bool Overwrite { get; } = overwrite;
    public override Schema Schema => Input.Schema;
    public override IReadOnlyList<LogicalPlan> Inputs => [Input];
    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new LogicalSink(inputs[0], Target, Overwrite);
    public override string Describe() => $"{(Overwrite ? "Overwrite" : "")}Sink(table=[[{CatalogNames.DefaultCatalog}, {CatalogNames.DefaultDatabase}, {Target.Name}]], fields=[{string.Join(", ", Schema.Names)}])";
}
