using Runnel.Models.Abstractions;

namespace Runnel.Models.Formats;

/// <summary>
/// Calls a model through a predictive format: the rows of a call go out in requests of at most
/// <see cref="PredictiveCodec.MaxRows"/>, each encoded by the codec and sent by the provider's
/// <paramref name="send"/> (endpoint, authentication, headers); a failed answer becomes every row's error through the
/// provider's <paramref name="failure"/>, a successful one is decoded row by row. Never retries (the runtime does).
/// </summary>
/// <param name="codec">The model's input and output formats over its signature.</param>
/// <param name="send">Sends one encoded request; returns the answer, or the error of a request that got none.</param>
/// <param name="failure">The classified error of a non-2xx answer.</param>
/// <param name="http">The client the sender uses, disposed with the invoker.</param>
public sealed class PredictiveInvoker(
    PredictiveCodec codec,
    Func<EncodedRequest, CancellationToken, Task<(ProviderAnswer? Answer, ModelInvocationException? Error)>> send,
    Func<ProviderAnswer, ModelInvocationException> failure,
    HttpClient http) : IModelInvoker
{
    /// <inheritdoc />
    public int PreferredBatchSize => codec.MaxRows;

    /// <inheritdoc />
    public async Task<IReadOnlyList<ModelOutput>> PredictAsync(IReadOnlyList<object?[]> inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var results = new List<ModelOutput>(inputs.Count);
        for (var at = 0; at < inputs.Count; at += codec.MaxRows)
        {
            var chunk = inputs.Skip(at).Take(codec.MaxRows).ToList();
            var (answer, error) = await send(codec.Encode(chunk), cancellationToken).ConfigureAwait(false);
            if (error is null && !answer!.IsSuccess) error = failure(answer);
            if (error is not null) results.AddRange(chunk.Select(_ => ModelOutput.Failed(error)));
            else results.AddRange(codec.Decode(answer!.Bytes, chunk.Count));
        }
        return results;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        http.Dispose();
        return ValueTask.CompletedTask;
    }
}
