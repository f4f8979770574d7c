using Runnel.Core.Errors;
using Runnel.Core.Options;

namespace Runnel.Models.Abstractions;

/// <summary>
/// The connection types of CREATE CONNECTION and their secret keys (Confluent's list plus Runnel's own). Secret keys
/// are what DESCRIBE, SHOW CREATE, statement echoes, errors and logs mask, and what the catalog encrypts. Hyphen and
/// underscore spellings are one key; the AWS keys also accept the SDK names (<c>aws_access_key_id</c>, ...).
/// </summary>
public static class ConnectionTypes
{
    /// <summary>Largest secret, in bytes of UTF-8 (Confluent's limit).</summary>
    public const int MaxSecretBytes = 4000;

    private sealed record TypeDef(string Name, string[] Required, string[] Optional, string[][]? OneOf = null, string[]? Plain = null);

    private static readonly TypeDef[] Types =
    [
        new("openai", ["api-key"], []),
        new("azureopenai", [], ["api-key"]), // without a key: Microsoft Entra ID (Azure.Identity)
        new("azureml", ["api-key"], []),
        new("anthropic", ["api-key"], []),
        new("googleai", ["api-key"], []),
        new("elastic", ["api-key"], []),
        new("pinecone", ["api-key"], []),
        new("bedrock", ["aws-access-key", "aws-secret-key"], ["aws-session-token"]),
        new("sagemaker", ["aws-access-key", "aws-secret-key"], ["aws-session-token"]),
        new("vertexai", ["service-key"], []),
        new("mongodb", ["username", "password"], []),
        new("couchbase", ["username", "password"], []),
        new("confluent_jdbc", ["username", "password"], []),
        new("rest", [], ["username", "password", "token", "token-endpoint", "client-id", "client-secret", "scope"],
            [["username", "password"], ["token"], ["token-endpoint", "client-id", "client-secret", "scope"]]),
        new("mcp_server", [], ["username", "password", "token", "token-endpoint", "client-id", "client-secret", "scope"],
            [["username", "password"], ["token"], ["token-endpoint", "client-id", "client-secret", "scope"]]),
        new("local", [], []),
        // Runnel's own: Kafka brokers for tables ('kafka.connection'); endpoint = bootstrap servers, SASL credentials.
        new("kafka", [], ["username", "password"], Plain: ["security.protocol", "sasl.mechanism", "ssl.ca.location"]),
    ];

    private static readonly string[] Plain = ["type", "endpoint", "environment", "region", "api-version", "comment"];

    /// <summary>Every connection type.</summary>
    public static IEnumerable<string> Names => Types.Select(t => t.Name);

    /// <summary>The canonical spelling of a connection option key: lower-case, underscores as hyphens, AWS SDK names
    /// mapped to Confluent's.</summary>
    public static string Normalize(string key)
    {
        var k = key.Trim().ToLowerInvariant().Replace('_', '-');
        return k switch
        {
            "aws-access-key-id" => "aws-access-key",
            "aws-secret-access-key" => "aws-secret-key",
            _ => k,
        };
    }

    /// <summary>True when <paramref name="type"/> is a known connection type (case-insensitive).</summary>
    public static bool Exists(string type) => Types.Any(t => t.Name == type.ToLowerInvariant());

    /// <summary>Secret keys of a type (normalized spelling).</summary>
    public static IReadOnlyList<string> SecretKeys(string type)
    {
        var t = Types.FirstOrDefault(x => x.Name == type.ToLowerInvariant());
        return t is null ? [] : [.. t.Required, .. t.Optional];
    }

    /// <summary>True when <paramref name="key"/> (any spelling) is a secret of <paramref name="type"/>.</summary>
    public static bool IsSecret(string type, string key) => SecretKeys(type).Contains(Normalize(key));

    /// <summary>Validates normalized options of a connection; throws <see cref="OptionException"/> naming the problem.</summary>
    public static void Validate(IReadOnlyDictionary<string, string> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.TryGetValue("type", out var type))
            throw new OptionException("Missing required option 'type' for a connection. Valid types: " + string.Join(", ", Names));
        var def = Types.FirstOrDefault(t => t.Name == type.ToLowerInvariant())
            ?? throw new OptionException($"Unsupported connection type '{type}'. Valid types: {string.Join(", ", Names)}");
        var valid = Plain.Concat(def.Plain ?? []).Concat(def.Required).Concat(def.Optional).ToHashSet();
        foreach (var key in options.Keys)
            if (!valid.Contains(key))
                throw new OptionException($"Unsupported option '{key}' for a connection of type '{def.Name}'. Supported options: {string.Join(", ", valid.Order(StringComparer.Ordinal))}");
        if (def.Name != "local" && !options.ContainsKey("endpoint"))
            throw new OptionException($"Missing required option 'endpoint' for a connection of type '{def.Name}'");
        foreach (var r in def.Required)
            if (!options.ContainsKey(r))
                throw new OptionException($"Missing required secret '{r}' for a connection of type '{def.Name}'");
        if (def.Name == "kafka" && options.ContainsKey("username") != options.ContainsKey("password"))
            throw new OptionException("A connection of type 'kafka' takes 'username' and 'password' together (SASL)");
        if (def.OneOf is not null && !def.OneOf.Any(group => group.All(options.ContainsKey)))
            throw new OptionException($"A connection of type '{def.Name}' needs one of: {string.Join("; ", def.OneOf.Select(g => string.Join(" + ", g)))}");
        foreach (var key in SecretKeys(def.Name))
            if (options.TryGetValue(key, out var v) && System.Text.Encoding.UTF8.GetByteCount(v) > MaxSecretBytes)
                throw new OptionException($"Secret '{key}' is longer than {MaxSecretBytes} bytes");
    }
}
