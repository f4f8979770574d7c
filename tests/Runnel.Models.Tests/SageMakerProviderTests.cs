using System.Text;
using System.Text.Json.Nodes;
using Runnel.Core.Options;
using Runnel.Core.Types;
using Runnel.Models.Abstractions;
using Runnel.Models.Providers.SageMaker;
using Runnel.TestSupport;

namespace Runnel.Models.Tests;

/// <summary>The sagemaker provider against a loopback InvokeEndpoint that checks every request's SigV4 signature
/// (service <c>sagemaker</c>) with the independent <see cref="SigV4Verifier"/>. The JSON exchange replays the
/// openllmetry SageMaker recording (shared/fixtures/providers/aws_sagemaker); the CSV answer and the ModelError body
/// are not recorded publicly and are built from the InvokeEndpoint API reference (a CSV line for a CSV model; 424
/// ModelError with ErrorCode, Message, OriginalStatusCode).</summary>
public sealed class SageMakerProviderTests
{
    private const string Access = "AKIDEXAMPLE";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    private static ModelVersionInfo Version(IEnumerable<Column> inputs, IEnumerable<Column> outputs, params (string, string)[] options) => new()
    {
        ModelName = "m",
        Version = 1,
        Task = ModelTasks.Regression,
        Signature = new ModelSignature([.. inputs], [.. outputs]),
        Options = options.Append(("provider", "sagemaker")).ToDictionary(o => o.Item1, o => o.Item2),
    };

    private static ConnectionInfo Connection(string url) => new()
    {
        Name = "sm",
        Type = "sagemaker",
        Endpoint = url,
        Secrets = new Dictionary<string, SecretValue> { ["aws-access-key"] = new(Access), ["aws-secret-key"] = new(Secret) },
    };

    private static Task<LoopbackServer> EndpointAsync(Func<RecordedRequest, (int, JsonNode, IReadOnlyDictionary<string, string>)> answer) =>
        LoopbackServer.StartAsync(r => SigV4Verifier.Check(r, Secret, "sagemaker") is { } problem
            ? (403, new JsonObject { ["message"] = "The request signature we calculated does not match: " + problem }, new Dictionary<string, string> { ["x-amzn-ErrorType"] = "InvalidSignatureException" })
            : answer(r));

    [Fact]
    public async Task Csv_IsTheDefault_WithTheHeaderOptionsSentAndSigned()
    {
        await using var server = await EndpointAsync(r => (200, JsonValue.Create("0.731\n"), new Dictionary<string, string> { ["content-type"] = "text/csv" }));
        var version = Version([new Column("age", SqlType.Int), new Column("bmi", SqlType.Double), new Column("sex", SqlType.String)], [new Column("score", SqlType.Double)],
            ("sagemaker.custom_attributes", "trace=on"), ("sagemaker.target_variant", "blue"), ("sagemaker.inference_id", "run-7"));
        new SageMakerProvider().Validate(version);
        await using var invoker = new SageMakerProvider().CreateInvoker(version, Connection(server.BaseUrl + "/endpoints/diabetes/invocations"));

        var output = (await invoker.PredictAsync([[52, 27.5, "F"]]))[0];

        Assert.Null(output.Error);
        Assert.Equal(0.731, output.Values![0]);
        var request = Assert.Single(server.Requests);
        Assert.Null(SigV4Verifier.Check(request, Secret, "sagemaker"));
        Assert.Equal("/endpoints/diabetes/invocations", request.PathAndQuery);
        Assert.Equal("52,27.5,F\n", Encoding.UTF8.GetString(request.RawBody));
        Assert.Equal("text/csv", request.Headers["content-type"]);
        Assert.Equal("text/csv", request.Headers["accept"]);
        Assert.Equal("trace=on", request.Headers["x-amzn-sagemaker-custom-attributes"]);
        Assert.Equal("blue", request.Headers["x-amzn-sagemaker-target-variant"]);
        Assert.Equal("run-7", request.Headers["x-amzn-sagemaker-inference-id"]);
        Assert.Contains("x-amzn-sagemaker-target-variant", request.Headers["authorization"], StringComparison.Ordinal);
        Assert.Contains("/us-east-1/sagemaker/aws4_request", request.Headers["authorization"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_ReplaysTheRecordedTgiInvocation()
    {
        var interaction = LoopbackServer.Fixture("aws_sagemaker", "openllmetry_sagemaker_invoke_endpoint_llama2_tgi.json")["interactions"]![0]!;
        var recordedRequest = interaction["request"]!["body_json"]!;
        var recordedAnswer = JsonNode.Parse(interaction["response"]!["body_raw"]!.GetValue<string>())!;
        await using var server = await EndpointAsync(r => (200, recordedAnswer, new Dictionary<string, string>()));
        var version = Version([new Column("inputs", SqlType.String)], [new Column("generated_text", SqlType.String)],
            ("sagemaker.input_format", "JSON"), ("sagemaker.params.parameters", recordedRequest["parameters"]!.ToJsonString()));
        new SageMakerProvider().Validate(version);
        await using var invoker = new SageMakerProvider().CreateInvoker(version, Connection(server.BaseUrl + "/endpoints/my-llama2-endpoint/invocations"));

        var output = (await invoker.PredictAsync([[recordedRequest["inputs"]!.GetValue<string>()]]))[0];

        Assert.Null(output.Error);
        Assert.Equal(recordedAnswer[0]!["generated_text"]!.GetValue<string>(), output.Values![0]);
        var request = Assert.Single(server.Requests);
        Assert.True(JsonNode.DeepEquals(recordedRequest, request.Body), request.Body!.ToJsonString());
        Assert.Equal("application/json", request.Headers["content-type"]);
    }

    [Fact]
    public async Task ContentTypes_CanBeOverridden()
    {
        await using var server = await EndpointAsync(r => (200, new JsonObject { ["score"] = 0.5 }, new Dictionary<string, string>()));
        var version = Version([new Column("x", SqlType.Double)], [new Column("score", SqlType.Double)], ("sagemaker.input_format", "JSON"),
            ("sagemaker.input_content_type", "application/jsonlines"), ("sagemaker.output_content_type", "application/json;verbose"));
        await using var invoker = new SageMakerProvider().CreateInvoker(version, Connection(server.BaseUrl + "/endpoints/e/invocations"));
        Assert.Equal(0.5, (await invoker.PredictAsync([[1.0]]))[0].Values![0]);
        var request = Assert.Single(server.Requests);
        Assert.Equal("application/jsonlines", request.Headers["content-type"]);
        Assert.Equal("application/json; verbose", request.Headers["accept"].Replace(";v", "; v", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ModelErrorsAreNotRetried_ThrottlingIs_AndABadSignatureIsRefused()
    {
        var modelError = new JsonObject
        {
            ["ErrorCode"] = "CLIENT_ERROR_FROM_MODEL",
            ["Message"] = "Received client error (400) from primary with message \"could not convert string to float: 'F'\"",
            ["OriginalStatusCode"] = 400,
        };
        var throttled = false;
        await using var server = await EndpointAsync(r => throttled
            ? (400, new JsonObject { ["message"] = "Rate exceeded" }, new Dictionary<string, string> { ["x-amzn-ErrorType"] = "ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/" })
            : (424, modelError, new Dictionary<string, string> { ["x-amzn-ErrorType"] = "ModelError:http://internal.amazon.com/coral/com.amazon.sagemaker/" }));
        var version = Version([new Column("x", SqlType.String)], [new Column("y", SqlType.Double)]);
        await using (var invoker = new SageMakerProvider().CreateInvoker(version, Connection(server.BaseUrl + "/endpoints/e/invocations")))
        {
            var error = (await invoker.PredictAsync([["F"]]))[0].Error!;
            Assert.Equal(424, error.Status);
            Assert.False(error.IsRetryable);
            Assert.Contains("(ModelError)", error.Message, StringComparison.Ordinal);
            Assert.Contains("could not convert string to float", error.Message, StringComparison.Ordinal);
            throttled = true;
            var throttle = (await invoker.PredictAsync([["F"]]))[0].Error!;
            Assert.True(throttle.IsRetryable);
            Assert.Contains("(ThrottlingException)", throttle.Message, StringComparison.Ordinal);
        }
        var wrongSecret = Connection(server.BaseUrl + "/endpoints/e/invocations");
        wrongSecret = new ConnectionInfo { Name = "sm", Type = "sagemaker", Endpoint = wrongSecret.Endpoint, Secrets = new Dictionary<string, SecretValue> { ["aws-access-key"] = new(Access), ["aws-secret-key"] = new("not-the-secret") } };
        await using (var invoker = new SageMakerProvider().CreateInvoker(version, wrongSecret))
        {
            var refused = (await invoker.PredictAsync([["F"]]))[0].Error!;
            Assert.Equal(403, refused.Status);
            Assert.Contains("signature", refused.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("not-the-secret", refused.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void RegionComesFromTheRuntimeHost_OrTheConnection()
    {
        Assert.Equal("eu-west-1", AwsRequests.Region(new Uri("https://runtime.sagemaker.eu-west-1.amazonaws.com/endpoints/e/invocations")));
        var pinned = new ConnectionInfo { Name = "sm", Type = "sagemaker", Options = new Dictionary<string, string> { ["region"] = "ap-south-1" } };
        Assert.Equal("ap-south-1", AwsRequests.Region(new Uri("http://127.0.0.1:9000/endpoints/e/invocations"), pinned));
    }

    /// <summary>An answer in each output format for OUTPUT (y DOUBLE) = 0.5, as a model server of that kind writes it.</summary>
    private static (JsonNode Body, string ContentType) AnswerIn(string outputFormat) => outputFormat switch
    {
        "JSON" => (new JsonObject { ["y"] = 0.5 }, "application/json"),
        "JSON-ARRAY" => (new JsonArray(0.5), "application/json"),
        "TEXT" => (JsonValue.Create("0.5\n"), "text/plain"),
        "CSV" => (JsonValue.Create("0.5\n"), "text/csv"),
        "BINARY" => (JsonValue.Create(Convert.ToBase64String(BitConverter.GetBytes(0.5))), "application/octet-stream"),
        "TF-SERVING" => (new JsonObject { ["predictions"] = new JsonArray(new JsonArray(0.5)) }, "application/json"),
        "TRITON" => (new JsonObject { ["outputs"] = new JsonArray(new JsonObject { ["name"] = "y", ["datatype"] = "FP64", ["shape"] = new JsonArray(1), ["data"] = new JsonArray(0.5) }) }, "application/json"),
        var wrapper when wrapper.StartsWith("JSON:", StringComparison.Ordinal) => (new JsonObject { [wrapper[5..]] = new JsonObject { ["y"] = new JsonArray(0.5) } }, "application/json"),
        _ => throw new ArgumentOutOfRangeException(nameof(outputFormat), outputFormat),
    };

    [Theory]
    [InlineData("JSON")]
    [InlineData("JSON-ARRAY")]
    [InlineData("JSON:features")]
    [InlineData("TEXT")]
    [InlineData("CSV")]
    [InlineData("BINARY")]
    [InlineData("TF-SERVING")]
    [InlineData("KSERVE-V1")]
    [InlineData("TF-SERVING-COLUMN")]
    [InlineData("MLFLOW-TENSOR")]
    [InlineData("TRITON")]
    [InlineData("KSERVE-V2")]
    [InlineData("PANDAS-DATAFRAME")]
    [InlineData("AZUREML-PANDAS-DATAFRAME")]
    [InlineData("AZUREML-TENSOR")]
    [InlineData("VERTEXAI-PYTORCH")]
    public async Task EveryPredictiveFormat_TravelsSignedBothWays(string format)
    {
        var codec = Runnel.Models.Formats.PredictiveCodec.Create(format, null,
            new ModelSignature([new Column("x", SqlType.Double), new Column("n", SqlType.Int)], [new Column("y", SqlType.Double)]), []);
        var (answer, answerType) = AnswerIn(codec.OutputFormat);
        await using var server = await EndpointAsync(r => (200, answer, new Dictionary<string, string> { ["content-type"] = answerType }));
        var version = Version([new Column("x", SqlType.Double), new Column("n", SqlType.Int)], [new Column("y", SqlType.Double)], ("sagemaker.input_format", format));
        new SageMakerProvider().Validate(version);
        await using var invoker = new SageMakerProvider().CreateInvoker(version, Connection(server.BaseUrl + "/endpoints/e/invocations"));

        var output = (await invoker.PredictAsync([[1.5, 2]]))[0];

        Assert.Null(output.Error);
        Assert.Equal(0.5, output.Values![0]);
        var request = Assert.Single(server.Requests);
        Assert.Equal(codec.Encode([[1.5, 2]]).Body, request.RawBody);
        Assert.Equal(Runnel.Models.Formats.PredictiveCodec.ContentType(codec.InputFormat), request.Headers["content-type"]);
    }
}
