using Runnel.Connectors.Abstractions;
using Runnel.Core.Data;
using Runnel.Core.Errors;
using Runnel.Core.Options;

namespace Runnel.Connectors.Blackhole;

/// <summary>Flink's <c>blackhole</c> sink: accepts every row (inserts and updates) and discards it; counts rows, for
/// benchmarks and for running a pipeline for its side effects.</summary>
public sealed class BlackholeConnector : IConnectorFactory
{
    /// <inheritdoc />
    public string Name => "blackhole";
    /// <inheritdoc />
    public bool CanRead => false;
    /// <inheritdoc />
    public bool CanWrite => true;
    /// <inheritdoc />
    public bool AcceptsUpdates => true;

    /// <inheritdoc />
    public OptionSchema GetOptionSchema(IReadOnlyDictionary<string, string> options) =>
        new("connector 'blackhole'", [new("connector", OptionType.String, "blackhole")]);

    /// <inheritdoc />
    public bool IsBounded(IReadOnlyDictionary<string, string> options) => true;
    /// <inheritdoc />
    public ISource CreateSource(TableContext context) => throw new RunnelException("The blackhole connector can only be written, not read");
    /// <inheritdoc />
    public ISink CreateSink(TableContext context) => new Sink(context.Counters);

    private sealed class Sink(JobCounters counters) : ISink
    {
        public ValueTask WriteAsync(RowBatch batch, CancellationToken cancellationToken = default)
        {
            counters.AddWritten(batch.Count);
            return ValueTask.CompletedTask;
        }

        public ValueTask CheckpointAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
        public ValueTask FinishAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
