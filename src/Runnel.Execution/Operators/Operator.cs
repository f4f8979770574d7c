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
    /// <summary>An operator producing rows of <paramref name="schema"/>.</summary>
    protected Operator(Schema schema) => Schema = schema;

    /// <summary>The columns of the rows this operator yields.</summary>
    public Schema Schema { get; }

    /// <summary>Runs the operator, pulling from its inputs, until they end or <paramref name="cancellationToken"/> is cancelled.</summary>
    public abstract IAsyncEnumerable<RowBatch> ExecuteAsync(JobContext context, CancellationToken cancellationToken);

    /// <summary>Watermark value of an event time: UTC milliseconds since the epoch (TIMESTAMP values are taken as UTC).</summary>
    public static long ToMillis(object value) => value switch
    {
        DateTimeOffset dto => dto.ToUnixTimeMilliseconds(),
        DateTime dt => (long)(DateTime.SpecifyKind(dt, DateTimeKind.Utc) - DateTime.UnixEpoch).TotalMilliseconds,
        _ => throw new InvalidOperationException($"Not an event time: {value}"),
    };

    /// <summary>A TIMESTAMP value (unspecified kind, read as UTC) from epoch milliseconds.</summary>
    public static DateTime FromMillis(long ms) => DateTime.SpecifyKind(DateTime.UnixEpoch.AddMilliseconds(ms), DateTimeKind.Unspecified);

    /// <summary>The watermark that ends a bounded input: every window can fire.</summary>
    public const long EndOfInput = long.MaxValue;
}
