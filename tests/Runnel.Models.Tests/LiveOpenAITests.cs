using Runnel.Core.Options;
using Runnel.Core.Types;
using Runnel.Models.Abstractions;
using Runnel.Models.Providers.OpenAI;

using Runnel.TestSupport;

namespace Runnel.Models.Tests;

/// <summary>Calls the real OpenAI API (or a compatible server) when RUNNEL_LIVE_OPENAI_API_KEY is set
/// (RUNNEL_LIVE_OPENAI_ENDPOINT and RUNNEL_LIVE_OPENAI_MODEL optional); otherwise it is reported as skipped.
/// The names are listed in docs/providers.md.</summary>
public class LiveOpenAITests
{
    [LiveFact("RUNNEL_LIVE_OPENAI_API_KEY")]
    public async Task Live_ChatCompletion_AnswersWhenCredentialsAreSet()
    {
        var key = Environment.GetEnvironmentVariable("RUNNEL_LIVE_OPENAI_API_KEY")!;
        var endpoint = Environment.GetEnvironmentVariable("RUNNEL_LIVE_OPENAI_ENDPOINT") ?? "https://api.openai.com/v1/chat/completions";
        var version = new ModelVersionInfo
        {
            ModelName = "live",
            Version = 1,
            Task = ModelTasks.Classification,
            Signature = new ModelSignature([new Column("text", SqlType.String)], [new Column("label", SqlType.String)]),
            Options = new Dictionary<string, string>
            {
                ["provider"] = "openai",
                ["openai.model_version"] = Environment.GetEnvironmentVariable("RUNNEL_LIVE_OPENAI_MODEL") ?? "gpt-4o-mini",
                ["openai.system_prompt"] = "Answer with one word: POSITIVE or NEGATIVE.",
                ["openai.params.temperature"] = "0",
            },
        };
        var connection = new ConnectionInfo { Name = "live", Type = "openai", Endpoint = endpoint, Secrets = new Dictionary<string, SecretValue> { ["api-key"] = new(key) } };
        await using var invoker = new OpenAIProvider().CreateInvoker(version, connection);
        var result = (await invoker.PredictAsync([["I love this product, it is wonderful."]]))[0];
        Assert.Null(result.Error);
        Assert.Contains("POSITIVE", ((string)result.Values![0]!).ToUpperInvariant(), StringComparison.Ordinal);
    }
}
