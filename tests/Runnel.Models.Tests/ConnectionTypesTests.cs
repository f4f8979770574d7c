using Runnel.Core.Errors;
using Runnel.Models.Abstractions;

namespace Runnel.Models.Tests;

/// <summary>Every connection type of SQL-SURFACE §2 with its secrets: accepted when they are given, refused naming the
/// missing one, and marked secret (so DESCRIBE, errors and logs mask them) by the type's list, not by key names.</summary>
public sealed class ConnectionTypesTests
{
    public static TheoryData<string, string[]> Types => new()
    {
        { "openai", ["api-key"] },
        { "azureml", ["api-key"] },
        { "anthropic", ["api-key"] },
        { "googleai", ["api-key"] },
        { "elastic", ["api-key"] },
        { "pinecone", ["api-key"] },
        { "bedrock", ["aws-access-key", "aws-secret-key"] },
        { "sagemaker", ["aws-access-key", "aws-secret-key"] },
        { "vertexai", ["service-key"] },
        { "mongodb", ["username", "password"] },
        { "couchbase", ["username", "password"] },
        { "confluent_jdbc", ["username", "password"] },
    };

    private static Dictionary<string, string> Options(string type, IEnumerable<string> secrets) =>
        new[] { ("type", type), ("endpoint", "https://example.invalid/x") }.Concat(secrets.Select(s => (s, "v"))).ToDictionary(p => p.Item1, p => p.Item2);

    [Theory]
    [MemberData(nameof(Types))]
    public void EachType_NeedsItsSecrets_AndMarksThemSecret(string type, string[] secrets)
    {
        ConnectionTypes.Validate(Options(type, secrets));
        foreach (var missing in secrets)
        {
            var e = Assert.Throws<OptionException>(() => ConnectionTypes.Validate(Options(type, secrets.Where(s => s != missing))));
            Assert.Contains($"Missing required secret '{missing}'", e.Message, StringComparison.Ordinal);
        }
        Assert.All(secrets, s => Assert.True(ConnectionTypes.IsSecret(type, s.Replace('-', '_'))));
        Assert.False(ConnectionTypes.IsSecret(type, "endpoint"));
    }

    [Theory]
    [InlineData("rest")]
    [InlineData("mcp_server")]
    public void RestAndMcp_TakeOneOfTheirCredentialSets(string type)
    {
        ConnectionTypes.Validate(Options(type, ["username", "password"]));
        ConnectionTypes.Validate(Options(type, ["token"]));
        ConnectionTypes.Validate(Options(type, ["token-endpoint", "client-id", "client-secret", "scope"]));
        var e = Assert.Throws<OptionException>(() => ConnectionTypes.Validate(Options(type, ["username"])));
        Assert.Contains("needs one of: username + password; token; token-endpoint + client-id + client-secret + scope", e.Message, StringComparison.Ordinal);
        Assert.True(ConnectionTypes.IsSecret(type, "client_secret"));
    }

    [Fact]
    public void SpellingsAndLimits()
    {
        Assert.Equal("aws-access-key", ConnectionTypes.Normalize("AWS_ACCESS_KEY_ID"));
        Assert.Equal("aws-secret-key", ConnectionTypes.Normalize("aws_secret_access_key"));
        Assert.Equal("aws-session-token", ConnectionTypes.Normalize("aws_session_token"));
        // Azure OpenAI may go without a key (Microsoft Entra ID); the key is still a secret when given.
        ConnectionTypes.Validate(Options("azureopenai", []));
        Assert.True(ConnectionTypes.IsSecret("azureopenai", "api_key"));
        var tooLong = Options("openai", ["api-key"]);
        tooLong["api-key"] = new string('k', ConnectionTypes.MaxSecretBytes + 1);
        Assert.Contains("longer than 4000 bytes", Assert.Throws<OptionException>(() => ConnectionTypes.Validate(tooLong)).Message, StringComparison.Ordinal);
        Assert.Contains("Unsupported connection type 'kafka2'", Assert.Throws<OptionException>(() => ConnectionTypes.Validate(Options("kafka2", []))).Message, StringComparison.Ordinal);
        Assert.Contains("Missing required option 'endpoint'", Assert.Throws<OptionException>(() => ConnectionTypes.Validate(new Dictionary<string, string> { ["type"] = "openai", ["api-key"] = "k" })).Message, StringComparison.Ordinal);
    }
}
