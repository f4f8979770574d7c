using Runnel.Models.Abstractions;
using Runnel.TestSupport;

namespace Runnel.Models.Tests;

/// <summary>Retry hints as recorded providers send them (shared/fixtures/providers).</summary>
public sealed class RetryHintsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private static HttpResponseMessage Answer(params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(System.Net.HttpStatusCode.TooManyRequests);
        foreach (var (name, value) in headers) response.Headers.TryAddWithoutValidation(name, value);
        return response;
    }

    [Theory]
    [InlineData("2ms", 2)]
    [InlineData("0s", 0)]
    [InlineData("7", 7000)]
    [InlineData("1.574s", 1574)]
    [InlineData("6m0s", 360_000)]
    [InlineData("1h2m3.5s", 3_723_500)]
    public void ParseDuration_ReadsGoDurationsAndBareSeconds(string text, double ms) =>
        Assert.Equal(TimeSpan.FromMilliseconds(ms), RetryHints.ParseDuration(text));

    [Theory]
    [InlineData("soon")]
    [InlineData("5 parsecs")]
    [InlineData("-3")]
    public void ParseDuration_RejectsWhatIsNotADuration(string text) => Assert.Null(RetryHints.ParseDuration(text));

    [Fact]
    public void RetryAfterMs_WinsOverRetryAfterAndResets()
    {
        using var r = Answer(("retry-after-ms", "250"), ("retry-after", "9"), ("x-ratelimit-reset-tokens", "20s"));
        Assert.Equal(TimeSpan.FromMilliseconds(250), RetryHints.From(r, null, Now));
    }

    [Fact]
    public void RetryAfter_AsSecondsOrHttpDate()
    {
        using var seconds = Answer(("retry-after", "9"));
        Assert.Equal(TimeSpan.FromSeconds(9), RetryHints.From(seconds, null, Now));
        using var date = Answer(("retry-after", "Sat, 21 Nov 2026 12:00:30 GMT"));
        Assert.Equal(TimeSpan.FromSeconds(30), RetryHints.From(date, null, Now));
        using var past = Answer(("retry-after", "Sat, 21 Nov 2026 11:00:00 GMT"));
        Assert.Equal(TimeSpan.Zero, RetryHints.From(past, null, Now));
    }

    [Fact]
    public void RateLimitResets_TheLaterOfRequestsAndTokens_AsRecorded()
    {
        var recorded = LoopbackServer.Fixture("openai", "openai-dotnet_chat_completions_200_hello_world.json")["Entries"]![0]!["ResponseHeaders"]!;
        using var r = Answer(("x-ratelimit-reset-requests", recorded["x-ratelimit-reset-requests"]!.GetValue<string>()),
            ("x-ratelimit-reset-tokens", recorded["x-ratelimit-reset-tokens"]!.GetValue<string>()));
        Assert.Equal(TimeSpan.FromMilliseconds(2), RetryHints.From(r, null, Now));
    }

    [Fact]
    public void RecordedOpenAI429Messages_GiveTheirWait_WhenNoHeaderDoes()
    {
        var examples = LoopbackServer.Fixture("openai", "issues_openai_429_error_examples.json")["examples"]!.AsArray();
        string Message(int i) => examples[i]!["body"]?["error"]?["message"]?.GetValue<string>() ?? examples[i]!["message"]!.GetValue<string>();
        using var r = Answer();
        Assert.Equal(TimeSpan.FromMilliseconds(6), RetryHints.From(r, Message(0), Now));
        Assert.Equal(TimeSpan.FromMilliseconds(1574), RetryHints.From(r, Message(1), Now));
        Assert.Equal(TimeSpan.FromMilliseconds(174), RetryHints.From(r, Message(2), Now));
        Assert.Null(RetryHints.From(r, Message(3), Now)); // insufficient_quota names no wait
    }

    [Fact]
    public async Task OpenAIInvoker_Carries429HintsAndDoesNotRetryInsufficientQuota()
    {
        var examples = LoopbackServer.Fixture("openai", "issues_openai_429_error_examples.json")["examples"]!.AsArray();
        var calls = 0;
        await using var server = await LoopbackServer.StartAsync(_ => Interlocked.Increment(ref calls) == 1
            ? (429, examples[0]!["body"]!.DeepClone(), new Dictionary<string, string> { ["retry-after-ms"] = "1500" })
            : (429, examples[3]!["body"]!.DeepClone(), new Dictionary<string, string>()));
        var version = new ModelVersionInfo
        {
            ModelName = "m", Version = 1, Task = ModelTasks.Classification,
            Signature = new ModelSignature([new Core.Types.Column("text", Core.Types.SqlType.String)], [new Core.Types.Column("label", Core.Types.SqlType.String)]),
            Options = new Dictionary<string, string> { ["provider"] = "openai", ["openai.connection"] = "c" },
        };
        var connection = new ConnectionInfo { Name = "c", Type = "openai", Endpoint = server.BaseUrl + "/v1/chat/completions", Secrets = new Dictionary<string, Core.Options.SecretValue> { ["api-key"] = new("k") } };
        await using var invoker = new Providers.OpenAI.OpenAIProvider().CreateInvoker(version, connection);
        var throttled = (await invoker.PredictAsync([["x"]]))[0].Error!;
        Assert.True(throttled.IsRetryable);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), throttled.RetryAfter);
        var quota = (await invoker.PredictAsync([["x"]]))[0].Error!;
        Assert.False(quota.IsRetryable);
        Assert.Contains("insufficient_quota", quota.Message, StringComparison.Ordinal);
    }
}
