using System.Security.Cryptography;
using System.Text;

namespace Runnel.TestSupport;

/// <summary>
/// A second, independent AWS Signature Version 4 implementation (from the AWS General Reference's "Create a
/// canonical request" / "Create a string to sign" / "Calculate the signature" steps) used by fake AWS endpoints to
/// check the signature the client under test computed. Handles the path and headers these tests send (no query
/// string, path segments without characters that need encoding).
/// </summary>
public static class SigV4Verifier
{
    /// <summary>Null when the request's Authorization header carries the signature this implementation computes with
    /// <paramref name="secretKey"/>; otherwise why not.</summary>
    public static string? Check(RecordedRequest request, string secretKey, string expectedService)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Headers.TryGetValue("authorization", out var auth) || !auth.StartsWith("AWS4-HMAC-SHA256 ", StringComparison.Ordinal))
            return "no AWS4-HMAC-SHA256 Authorization header";
        var fields = auth["AWS4-HMAC-SHA256 ".Length..].Split(',', StringSplitOptions.TrimEntries)
            .Select(f => f.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var scope = fields["Credential"].Split('/', 2)[1];
        var scopeParts = scope.Split('/');
        var (date, region, service) = (scopeParts[0], scopeParts[1], scopeParts[2]);
        if (service != expectedService) return $"signed for service '{service}', expected '{expectedService}'";
        var signedHeaders = fields["SignedHeaders"].Split(';');
        var payloadHash = Hex(SHA256.HashData(request.RawBody));
        if (request.Headers.TryGetValue("x-amz-content-sha256", out var claimed) && claimed != payloadHash)
            return "x-amz-content-sha256 does not match the body";
        var path = request.PathAndQuery.Split('?')[0];
        var canonicalHeaders = string.Concat(signedHeaders.Select(h => h + ":" + string.Join(" ", request.Headers[h].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)) + "\n"));
        var canonicalRequest = string.Join("\n", request.Method, path, "", canonicalHeaders, fields["SignedHeaders"], payloadHash);
        var amzDate = request.Headers["x-amz-date"];
        var stringToSign = string.Join("\n", "AWS4-HMAC-SHA256", amzDate, scope, Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), date);
        key = Hmac(key, region);
        key = Hmac(key, service);
        key = Hmac(key, "aws4_request");
        var signature = Hex(Hmac(key, stringToSign));
        return signature == fields["Signature"] ? null : $"signature mismatch: expected {signature}, got {fields["Signature"]}";
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
