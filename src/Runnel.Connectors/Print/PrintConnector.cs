using Runnel.Connectors.Abstractions;
using Runnel.Core.Data;
using Runnel.Core.Errors;
using Runnel.Core.Options;

namespace Runnel.Connectors.Print;

/// <summary>Flink's <c>print</c> sink: one line per row as <c>+I[v1, v2]</c> (with the row kind, so updates show as
/// <c>-U</c>/<c>+U</c>), prefixed by <c>print-identifier&gt; </c> when set; to standard error when
/// <c>standard-error</c> is true.</summary>
public sealed class PrintConnector : IConnectorFactory
{
    /// <inheritdoc />
    public string Name => "print";
    /// <inheritdoc />
    public bool CanRead => false;
    /// <inheritdoc />
    public bool CanWrite => true;
    /// <inheritdoc />
    public bool AcceptsUpdates => true;

    /// <inheritdoc />
    public OptionSchema GetOptionSchema(IReadOnlyDictionary<string, string> options) => new("connector 'print'",
    [
        new("connector", OptionType.String, "print"),
        new("print-identifier", OptionType.String, "Prefix of every printed line."),
        new("standard-error", OptionType.Bool, "Print to standard error instead of standard output.", Default: "false"),
        new("sink.parallelism", OptionType.Int, "Accepted for compatibility."),
    ]);

    /// <inheritdoc />
    public bool IsBounded(IReadOnlyDictionary<string, string> options) => true;
    /// <inheritdoc />
    public ISource CreateSource(TableContext context) => throw new RunnelException("The print connector can only be written, not read");

    /// <inheritdoc />
    public ISink CreateSink(TableContext context)
    {
        var o = new OptionReader(context.Options, GetOptionSchema(context.Options));
        var writer = context.Output ?? (o.GetBool("standard-error") ? Console.Error : Console.Out);
        var prefix = o.GetString("print-identifier") is { } id ? id + "> " : "";
        return new Sink(writer, prefix, context.Counters, context.PhysicalSchema);
    }

    private sealed class Sink(TextWriter writer, string prefix, JobCounters counters, Core.Types.Schema schema) : ISink
    {
        public async ValueTask WriteAsync(RowBatch batch, CancellationToken cancellationToken = default)
        {
            var sb = new System.Text.StringBuilder();
            foreach (var row in batch.Rows)
            {
                sb.Append(prefix).Append(row.Kind.ShortString()).Append('[');
                for (var i = 0; i < schema.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    sb.Append(ValueFormatter.Format(row.Values[i], schema[i].Type));
                }
                sb.Append("]\n");
            }
            await writer.WriteAsync(sb.ToString()).ConfigureAwait(false);
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            counters.AddWritten(batch.Count);
        }

        public ValueTask CheckpointAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
        public ValueTask FinishAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
