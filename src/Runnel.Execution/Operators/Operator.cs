using Runnel.Core.Data;
using Runnel.Core.Types;
using Runnel.Execution.Runtime;

namespace Runnel.Execution.Operators;

/// <summary>
/// A physical operator. <see cref="ExecuteAsync"/> yields the operator's output as row batches; each batch may carry a
/// watermark (event-time ms) that holds after it. Operators pull from their inputs, so a slow consumer slows the
/// producers (back-pressure); sources run behind a bounded channel. An operator instance runs once.
/// </summary>
public abstract class Operator
{
    protected Operator(Schema schema) => Schema = schema;

    public Schema Schema { get; }

    public abstract IAsyncEnumerable<RowBatch> ExecuteAsync(JobContext context, CancellationToken cancellationToken);

    /// <summary>Watermark value of an event time: UTC milliseconds since the epoch (TIMESTAMP values are taken as UTC).</summary>
    public static long ToMillis(object value) => value switch
    {
        DateTimeOffset dto => dto.ToUnixTimeMilliseconds(),
        DateTime dt => (long)(DateTime.SpecifyKind(dt, DateTimeKind.Utc) - DateTime.UnixEpoch).TotalMilliseconds,
        _ => throw new InvalidOperationException($"Not an event time: {value}"),
    };

    public static DateTime FromMillis(long ms) => DateTime.SpecifyKind(DateTime.UnixEpoch.AddMilliseconds(ms), DateTimeKind.Unspecified);

    /// <summary>The watermark that ends a bounded input: every window can fire.</summary>
    public const long EndOfInput = long.MaxValue;
}
