using Runnel.Core.Errors;
using Runnel.Core.Options;
using Runnel.Models.Abstractions;
using Runnel.Models.Formats;

namespace Runnel.Models.Providers.SageMaker;

/// <summary>
/// The <c>sagemaker</c> provider: SageMaker Runtime <c>InvokeEndpoint</c> at the connection's endpoint
/// (<c>https://runtime.sagemaker.{region}.amazonaws.com/endpoints/{name}/invocations</c>), signed with AWS Signature
/// Version 4 for the service <c>sagemaker</c> by AWSSDK.Core's signer (<see cref="AwsRequests"/>; access key, secret
/// key and optional session token from the connection, the region from the host or the connection's <c>region</c>).
/// The body is a predictive format of <see cref="PredictiveCodec"/>, <c>CSV</c> by default; <c>Content-Type</c> and
/// <c>Accept</c> are <c>sagemaker.input_content_type</c> / <c>sagemaker.output_content_type</c> when set, else the
/// formats' own. The options <c>custom_attributes</c>, <c>inference_component_name</c>, <c>inference_id</c>,
/// <c>target_container_hostname</c>, <c>target_model</c>, <c>target_variant</c> and <c>enable_explanations</c> are sent
/// as the <c>X-Amzn-SageMaker-*</c> headers of the same names (AWS API reference, InvokeEndpoint). Errors carry the
/// <c>x-amzn-ErrorType</c> (ModelError, ValidationError, ThrottlingException, ...); 408, 429 and 5xx are retryable.
/// </summary>
public sealed class SageMakerProvider : IModelProvider
{
    /// <summary>Model options sent as headers, by their InvokeEndpoint header names.</summary>
    private static readonly (string Option, string Header)[] HeaderOptions =
    [
        ("custom_attributes", "X-Amzn-SageMaker-Custom-Attributes"),
        ("inference_component_name", "X-Amzn-SageMaker-Inference-Component"),
        ("inference_id", "X-Amzn-SageMaker-Inference-Id"),
        ("target_container_hostname", "X-Amzn-SageMaker-Target-Container-Hostname"),
        ("target_model", "X-Amzn-SageMaker-Target-Model"),
        ("target_variant", "X-Amzn-SageMaker-Target-Variant"),
        ("enable_explanations", "X-Amzn-SageMaker-Enable-Explanations"),
    ];

    /// <inheritdoc />
    public string Name => "sagemaker";

    /// <inheritdoc />
    public bool NeedsConnection => true;

    /// <inheritdoc />
    public IReadOnlyList<string> Tasks { get; } = ModelTasks.All;

    /// <inheritdoc />
    public IReadOnlyList<OptionDef> Options { get; } =
    [
        new("sagemaker.input_format", OptionType.String, "Wire format: CSV (default) or another predictive format."),
        new("sagemaker.output_format", OptionType.String, "How the answer is read (default: the input format's)."),
        new("sagemaker.params.*", OptionType.String, "JSON format only: copied into the body."),
        .. HeaderOptions.Select(h => new OptionDef($"sagemaker.{h.Option}", OptionType.String, $"Sent as the {h.Header} header.")),
    ];

    private static PredictiveCodec Codec(ModelVersionInfo version) =>
        PredictiveCodec.Create(version.Option("sagemaker.input_format")?.Trim() ?? "CSV", version.Option("sagemaker.output_format"), version.Signature, ProviderParams.Of(version, "sagemaker"));

    /// <inheritdoc />
    public void Validate(ModelVersionInfo version)
    {
        ArgumentNullException.ThrowIfNull(version);
        Codec(version);
    }

    /// <inheritdoc />
    public IModelInvoker CreateInvoker(ModelVersionInfo version, ConnectionInfo? connection)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (connection?.Endpoint is null) throw new OptionException($"Model '{version.ModelName}' needs 'sagemaker.connection'");
        var codec = Codec(version);
        var credentials = AwsRequests.Credentials(connection);
        var endpoint = new Uri(connection.Endpoint);
        var region = AwsRequests.Region(endpoint, connection);
        var contentType = version.Option("sagemaker.input_content_type");
        var accept = version.Option("sagemaker.output_content_type") ?? PredictiveCodec.ContentType(codec.OutputFormat);
        var extra = HeaderOptions.Where(h => version.Option($"sagemaker.{h.Option}") is not null)
            .Select(h => (h.Header, version.Option($"sagemaker.{h.Option}")!)).ToList();
        var http = ProviderHttp.CreateClient(version, "sagemaker");
        return new PredictiveInvoker(codec, (request, ct) =>
        {
            var headers = new Dictionary<string, string> { ["content-type"] = contentType ?? request.ContentType, ["accept"] = accept };
            foreach (var (header, value) in extra) headers[header] = value;
            return ProviderHttp.SendAsync(http, AwsRequests.SignedPost(endpoint, request.Body, headers, credentials, "sagemaker", region), ct);
        }, answer => AwsRequests.Failure(answer, "SageMaker"), http);
    }
}
