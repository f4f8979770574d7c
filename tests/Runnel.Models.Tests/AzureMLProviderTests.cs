using System.Text.Json.Nodes;
using Runnel.Core.Errors;
using Runnel.Core.Options;
using Runnel.Core.Types;
using Runnel.Models.Abstractions;
using Runnel.Models.Providers.AzureML;
using Runnel.TestSupport;

namespace Runnel.Models.Tests;

/// <summary>The azureml provider against a loopback online endpoint that checks the bearer key and the deployment
/// header as Azure ML does. Request bodies are compared with the azureml-examples sample requests in
/// shared/fixtures/providers/azure_ml_online_endpoint. No scoring response is recorded anywhere public (the fixtures'
/// PROVENANCE.md says so): the answers here are built from it — "the sample model returns a JSON list of floats, one per
/// input row" — and from the swagger's ErrorResponse for errors.</summary>
public sealed class AzureMLProviderTests
{
    private const string Key = "aml-key-7c21";
    private static readonly string[] Diabetes = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"];

    private static ModelVersionInfo Version(IEnumerable<Column> inputs, IEnumerable<Column> outputs, params (string, string)[] options) => new()
    {
        ModelName = "m",
        Version = 1,
        Task = ModelTasks.Regression,
        Signature = new ModelSignature([.. inputs], [.. outputs]),
        Options = options.Append(("provider", "azureml")).ToDictionary(o => o.Item1, o => o.Item2),
    };

    private static ConnectionInfo Connection(string url) =>
        new() { Name = "aml", Type = "azureml", Endpoint = url, Secrets = new Dictionary<string, SecretValue> { ["api-key"] = new(Key) } };

    private static Task<LoopbackServer> EndpointAsync(Func<RecordedRequest, (int, JsonNode)> score) =>
        LoopbackServer.StartAsync(r => r.Headers.GetValueOrDefault("authorization") != "Bearer " + Key
            ? (401, new JsonObject { ["status_code"] = 401, ["message"] = "Invalid authentication key" })
            : score(r));

    [Fact]
    public async Task PandasDataFrame_IsTheDefault_SendsTheSampleRequest_AndReadsOnePredictionPerRow()
    {
        var recorded = LoopbackServer.Fixture("azure_ml_online_endpoint", "azureml-examples_ncd__sample-request-sklearn.json");
        var rows = recorded["input_data"]!["data"]!.AsArray().Select(r => r!.AsArray().Select(v => (object?)v!.GetValue<double>()).ToArray()).ToList();
        await using var server = await EndpointAsync(r => (200, new JsonArray(rows.Select(row => (JsonNode?)JsonValue.Create((double)row[0]! * 10)).ToArray())));
        var version = Version(Diabetes.Select(c => new Column(c, SqlType.Double)), [new Column("progression", SqlType.Double)], ("azureml.deployment_name", "blue"));
        new AzureMLProvider().Validate(version);
        await using var invoker = new AzureMLProvider().CreateInvoker(version, Connection(server.BaseUrl + "/score"));
        Assert.Equal(64, invoker.PreferredBatchSize);

        var outputs = await invoker.PredictAsync(rows);

        Assert.Equal([10.0, 100.0], outputs.Select(o => (double)o.Values![0]!));
        var request = Assert.Single(server.Requests);
        Assert.Equal("/score", request.PathAndQuery);
        Assert.Equal("blue", request.Headers["azureml-model-deployment"]);
        Assert.StartsWith("application/json", request.Headers["content-type"], StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(recorded, request.Body), request.Body!.ToJsonString());
    }

    [Fact]
    public async Task SeveralTypedOutputs_AreReadByName_AndAWrongTypeNamesTheColumn()
    {
        await using var server = await EndpointAsync(r => (200, new JsonArray(
            new JsonObject { ["label"] = "high", ["probability"] = 0.8 },
            new JsonObject { ["label"] = "low", ["probability"] = "n/a" })));
        var version = Version([new Column("bmi", SqlType.Double), new Column("age", SqlType.Int)],
            [new Column("label", SqlType.String), new Column("probability", SqlType.Double)]);
        await using var invoker = new AzureMLProvider().CreateInvoker(version, Connection(server.BaseUrl + "/score"));

        var outputs = await invoker.PredictAsync([[27.1, 50], [19.9, 31]]);

        Assert.Equal(["high", 0.8], outputs[0].Values!);
        Assert.Contains("OUTPUT column 'probability' DOUBLE cannot hold the value \"n/a\"", outputs[1].Error!.Message, StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"input_data": {"columns": ["bmi", "age"], "index": [0, 1], "data": [[27.1, 50], [19.9, 31]]}}"""), Assert.Single(server.Requests).Body));
    }

    [Fact]
    public async Task Errors_AreClassified_AWrongKeyIsNotRetried_AThrottleIs()
    {
        // A throttled endpoint with a standard Retry-After header; a wrong key gets the 401 before it.
        await using var server = await LoopbackServer.StartAsync(r => r.Headers.GetValueOrDefault("authorization") != "Bearer " + Key
            ? (401, new JsonObject { ["status_code"] = 401, ["message"] = "Invalid authentication key" }, new Dictionary<string, string>())
            : (429, new JsonObject { ["message"] = "Rate limit is exceeded." }, new Dictionary<string, string> { ["retry-after"] = "2" }));
        var version = Version([new Column("x", SqlType.Double)], [new Column("y", SqlType.Double)]);
        await using (var invoker = new AzureMLProvider().CreateInvoker(version, Connection(server.BaseUrl + "/score")))
        {
            var throttled = (await invoker.PredictAsync([[1.0]]))[0].Error!;
            Assert.Equal(429, throttled.Status);
            Assert.True(throttled.IsRetryable);
            Assert.Equal(TimeSpan.FromSeconds(2), throttled.RetryAfter);
        }
        var wrongKey = new ConnectionInfo { Name = "aml", Type = "azureml", Endpoint = server.BaseUrl + "/score", Secrets = new Dictionary<string, SecretValue> { ["api-key"] = new("wrong") } };
        await using (var invoker = new AzureMLProvider().CreateInvoker(version, wrongKey))
        {
            var denied = (await invoker.PredictAsync([[1.0]]))[0].Error!;
            Assert.Equal(401, denied.Status);
            Assert.False(denied.IsRetryable);
            Assert.Contains("Invalid authentication key", denied.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("wrong", denied.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task OpenAIChat_ForAIStudioModels_SendsTheChatBodyWithBearerKeyAndDeployment()
    {
        var answer = LoopbackServer.Fixture("openai", "openai-dotnet_chat_completions_200_hello_world.json")["Entries"]![0]!["ResponseBody"]!;
        await using var server = await EndpointAsync(r => (200, answer));
        var version = Version([new Column("text", SqlType.String)], [new Column("answer", SqlType.String)],
            ("azureml.input_format", "OPENAI-CHAT"), ("azureml.system_prompt", "Be brief."), ("azureml.params.temperature", "0"), ("azureml.deployment_name", "llama-3"));
        new AzureMLProvider().Validate(version);
        await using var invoker = new AzureMLProvider().CreateInvoker(version, Connection(server.BaseUrl + "/v1/chat/completions"));

        var output = (await invoker.PredictAsync([["Say hello"]]))[0];

        Assert.Null(output.Error);
        Assert.Equal(answer["choices"]![0]!["message"]!["content"]!.GetValue<string>(), output.Values![0]);
        var request = Assert.Single(server.Requests);
        Assert.Equal("llama-3", request.Headers["azureml-model-deployment"]);
        Assert.Equal("system", request.Body!["messages"]![0]!["role"]!.GetValue<string>());
        Assert.Equal(0, request.Body["temperature"]!.GetValue<int>());
    }

    [Fact]
    public void Validate_RejectsUnknownFormatsAndParamsOutsideJson()
    {
        var provider = new AzureMLProvider();
        var cols = new[] { new Column("x", SqlType.Double) };
        Assert.Throws<OptionException>(() => provider.Validate(Version(cols, cols, ("azureml.input_format", "PARQUET"))));
        Assert.Contains("'threshold'", Assert.Throws<OptionException>(() => provider.Validate(Version(cols, cols, ("azureml.params.threshold", "1")))).Message, StringComparison.Ordinal);
        provider.Validate(Version(cols, cols, ("azureml.input_format", "JSON"), ("azureml.params.threshold", "1")));
        Assert.Throws<OptionException>(() => provider.Validate(Version(cols, cols, ("azureml.input_format", "OPENAI-CHAT"))));
    }
}
