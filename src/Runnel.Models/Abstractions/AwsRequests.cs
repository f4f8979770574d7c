using System.Net.Http.Headers;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using Runnel.Core.Errors;

namespace Runnel.Models.Abstractions;

/// <summary>What the AWS providers (bedrock, sagemaker) share: credentials from a connection, the region of an
/// endpoint, requests signed with AWS Signature Version 4 by AWSSDK.Core's <see cref="AWSSigV4Signer"/> (never our
/// own signer), and AWS error answers read into classified errors.</summary>
public static class AwsRequests
{
    /// <summary>The connection's <c>aws-access-key</c>, <c>aws-secret-key</c> and optional <c>aws-session-token</c>.
    /// Throws <see cref="OptionException"/> naming a missing key.</summary>
    public static AWSCredentials Credentials(ConnectionInfo connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var access = connection.Secrets.TryGetValue("aws-access-key", out var a) ? a.Reveal() : throw new OptionException($"Connection '{connection.Name}' has no aws-access-key");
        var secret = connection.Secrets.TryGetValue("aws-secret-key", out var s) ? s.Reveal() : throw new OptionException($"Connection '{connection.Name}' has no aws-secret-key");
        return connection.Secrets.TryGetValue("aws-session-token", out var token)
            ? new SessionAWSCredentials(access, secret, token.Reveal()) : new BasicAWSCredentials(access, secret);
    }

    /// <summary>The region: the connection's <c>region</c> option, else the label after the service's in the host
    /// (<c>bedrock-runtime.us-east-1.amazonaws.com</c>, <c>runtime.sagemaker.eu-west-1.amazonaws.com</c>), else
    /// <c>us-east-1</c> (loopback test servers).</summary>
    public static string Region(Uri endpoint, ConnectionInfo? connection = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (connection?.Options.TryGetValue("region", out var region) == true && !string.IsNullOrWhiteSpace(region)) return region;
        var labels = endpoint.Host.Split('.');
        if (labels.Length < 3 || labels[^1] != "com") return "us-east-1";
        if (labels[0].StartsWith("bedrock", StringComparison.Ordinal)) return labels[1];
        if (labels[0] == "runtime" && labels[1] == "sagemaker") return labels[2];
        return labels[1];
    }

    /// <summary>A POST of <paramref name="body"/> to <paramref name="endpoint"/>, signed for <paramref name="service"/>
    /// in <paramref name="region"/> with the payload hash; <paramref name="headers"/> (content type, accept and any
    /// service headers) are signed and sent.</summary>
    public static HttpRequestMessage SignedPost(Uri endpoint, byte[] body, IReadOnlyDictionary<string, string> headers, AWSCredentials credentials, string service, string region)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(headers);
        var signing = new AWSSigningRequest { HttpMethod = HttpMethod.Post, RequestUri = endpoint, Content = body };
        foreach (var (k, v) in headers) signing.Headers[k.ToLowerInvariant()] = v;
        var signed = AWSSigV4Signer.Sign(signing, new AWSSigV4Parameters
        {
            Credentials = credentials,
            Region = Amazon.RegionEndpoint.GetBySystemName(region),
            Service = service,
            SignPayload = true,
        });
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        foreach (var (k, v) in signing.Headers)
            if (k == "content-type") request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(v);
            else request.Headers.TryAddWithoutValidation(k, v);
        // The signer's own headers (Authorization, X-Amz-Date, x-amz-content-sha256, X-Amz-Security-Token).
        foreach (var (k, v) in signed.Headers)
            if (!signing.Headers.ContainsKey(k.ToLowerInvariant()) && !k.Equals("host", StringComparison.OrdinalIgnoreCase) && !k.Equals("content-length", StringComparison.OrdinalIgnoreCase))
                request.Headers.TryAddWithoutValidation(k, v);
        return request;
    }

    /// <summary>The error of a failed AWS answer: the <c>x-amzn-ErrorType</c> as its code, the body's message, and
    /// 408, 429, 5xx or a ThrottlingException as retryable.</summary>
    public static ModelInvocationException Failure(ProviderAnswer answer, string provider)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var type = answer.Headers.TryGetValues("x-amzn-ErrorType", out var types) ? types.First().Split(':')[0] : null;
        var message = answer.Json?["message"]?.GetValue<string>() ?? answer.Json?["Message"]?.GetValue<string>() ?? answer.Snippet;
        return answer.Failure(provider, type, message, answer.Status is 408 or 429 or 500 or 502 or 503 or 504 || type == "ThrottlingException");
    }
}
