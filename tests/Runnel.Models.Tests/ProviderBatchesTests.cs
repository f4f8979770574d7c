using Runnel.Core.Options;
using Runnel.Core.Types;
using Runnel.Models.Abstractions;
using Runnel.Models.Providers.OpenAI;
using Runnel.TestSupport;

namespace Runnel.Models.Tests;

/// <summary>Provider caps per request: rows and estimated tokens.</summary>
public sealed class ProviderBatchesTests
{
    [Fact]
    public void Split_RespectsTheRowAndTokenCaps()
    {
        object?[][] rows = [["aaaa"], ["bbbbbbbb"], ["cc"], ["d"], [new string('e', 100)]];
        var parts = ProviderBatches.Split(rows, maxItems: 2, maxTokens: 3).Select(p => p.Select(r => (string)r[0]!).ToList()).ToList();
        // tokens: 1, 2, 1, 1, 25 — a row over the cap goes alone.
        Assert.Equal([["aaaa", "bbbbbbbb"], ["cc", "d"], [new string('e', 100)]], parts);
    }

    [Fact]
    public async Task OpenAIEmbeddings_AboveThe300kTokenCap_GoOutInSeveralRequests()
    {
        await using var server = await FakeModelServer.StartAsync();
        var version = new ModelVersionInfo
        {
            ModelName = "e", Version = 1, Task = ModelTasks.Embedding,
            Signature = new ModelSignature([new Column("text", SqlType.String)], [new Column("v", SqlType.Array(SqlType.Float))]),
            Options = new Dictionary<string, string> { ["provider"] = "openai" },
        };
        var connection = new ConnectionInfo { Name = "c", Type = "openai", Endpoint = server.EmbeddingsUrl, Secrets = new Dictionary<string, SecretValue> { ["api-key"] = new("k") } };
        await using var invoker = new OpenAIProvider().CreateInvoker(version, connection);
        // Three texts of 160,000 estimated tokens each: one request each, answers in input order.
        var texts = new[] { 'a', 'b', 'c' }.Select(ch => new object?[] { new string(ch, 640_000) }).ToList();
        var outputs = await invoker.PredictAsync(texts);
        Assert.Equal(3, server.Requests);
        Assert.All(outputs, o => Assert.Null(o.Error));
        Assert.Equal(3, outputs.Select(o => string.Join(",", (object?[])o.Values![0]!)).Distinct().Count());
    }
}
