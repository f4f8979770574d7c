using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Runnel.Catalog;
using Runnel.Core.Errors;
using Runnel.Core.Options;
using Runnel.Core.Types;
using Runnel.Models.Abstractions;
using Runnel.Sql.Parsing;

namespace Runnel.Engine.Models;

/// <summary>A model name with an optional version suffix: <c>m</c>, <c>m$2</c> or <c>m$all</c>.</summary>
public readonly record struct ModelReference(string Name, int? Version, bool All)
{
    public static ModelReference Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = text.LastIndexOf('$');
        if (at > 0)
        {
            var suffix = text[(at + 1)..];
            if (suffix.Equals("all", StringComparison.OrdinalIgnoreCase)) return new(text[..at], null, true);
            if (int.TryParse(suffix, NumberStyles.None, CultureInfo.InvariantCulture, out var v)) return new(text[..at], v, false);
        }
        return new(text, null, false);
    }

    public override string ToString() => All ? Name + "$all" : Version is { } v ? $"{Name}${v}" : Name;
}

/// <summary>A stored connection. Secret values are kept encrypted until <see cref="ModelCatalog.Reveal"/>.</summary>
public sealed class StoredConnection
{
    public required string Type { get; set; }
    public string? Endpoint { get; set; }
    public string? Comment { get; set; }
    public Dictionary<string, string> Options { get; set; } = [];
    /// <summary>Secret key → encrypted value.</summary>
    public Dictionary<string, string> Secrets { get; set; } = [];
}

/// <summary>A stored model column.</summary>
public sealed record StoredColumn(string Name, string Type, string? Comment);

/// <summary>A stored model version: its options (keys lower-case; secret values encrypted) and whether it has a
/// trained artifact.</summary>
public sealed class StoredVersion
{
    public int Id { get; set; }
    public Dictionary<string, string> Options { get; set; } = [];
    public Dictionary<string, string> Secrets { get; set; } = [];
    public bool Trained { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A stored model: signature, task and comment (the same in every version), versions and the default.</summary>
public sealed class StoredModel
{
    public List<StoredColumn> Input { get; set; } = [];
    public List<StoredColumn> Output { get; set; } = [];
    public string? Comment { get; set; }
    public required string Task { get; set; }
    public int DefaultVersion { get; set; } = 1;
    public List<StoredVersion> Versions { get; set; } = [];

    public StoredVersion? Find(int id) => Versions.FirstOrDefault(v => v.Id == id);

    public ModelSignature Signature() => new(
        Input.Select(c => new Column(c.Name, Parser.ParseDataType(c.Type), Comment: c.Comment)).ToList(),
        Output.Select(c => new Column(c.Name, Parser.ParseDataType(c.Type), Comment: c.Comment)).ToList());
}

/// <summary>
/// Reads and writes connections and models in the catalog store as JSON definitions, encrypting secrets with the
/// catalog's <see cref="SecretCipher"/>. Plain values never include a secret: which options are secret is decided
/// by the connection type and the provider's option schema.
/// </summary>
public sealed class ModelCatalog(ICatalogStore store, SecretCipher cipher)
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public ICatalogStore Store { get; } = store;
    public SecretCipher Cipher { get; } = cipher;

    public StoredConnection? GetConnection(string name) =>
        Store.Get(CatalogKinds.Connection, name) is { } e ? JsonSerializer.Deserialize<StoredConnection>(e.Definition, Json) : null;

    public IReadOnlyList<string> ConnectionNames =>
        Store.List().Where(e => e.Kind == CatalogKinds.Connection).Select(e => e.Name).ToList();

    public bool AddConnection(string name, StoredConnection c) =>
        Store.TryAdd(new CatalogEntry(CatalogKinds.Connection, name, JsonSerializer.Serialize(c, Json), DateTimeOffset.UtcNow));

    public void UpdateConnection(string name, StoredConnection c) =>
        Store.TryUpdate(new CatalogEntry(CatalogKinds.Connection, name, JsonSerializer.Serialize(c, Json), DateTimeOffset.UtcNow));

    public StoredModel? GetModel(string name) =>
        Store.Get(CatalogKinds.Model, name) is { } e ? JsonSerializer.Deserialize<StoredModel>(e.Definition, Json) : null;

    public IReadOnlyList<string> ModelNames =>
        Store.List().Where(e => e.Kind == CatalogKinds.Model).Select(e => e.Name).ToList();

    public bool AddModel(string name, StoredModel m) =>
        Store.TryAdd(new CatalogEntry(CatalogKinds.Model, name, JsonSerializer.Serialize(m, Json), DateTimeOffset.UtcNow));

    public void UpdateModel(string name, StoredModel m) =>
        Store.TryUpdate(new CatalogEntry(CatalogKinds.Model, name, JsonSerializer.Serialize(m, Json), DateTimeOffset.UtcNow));

    public IReadOnlyDictionary<string, SecretValue> Reveal(IReadOnlyDictionary<string, string> encrypted) =>
        encrypted.ToDictionary(kv => kv.Key, kv => new SecretValue(Cipher.Decrypt(kv.Value)));

    public ConnectionInfo ConnectionInfo(string name)
    {
        var c = GetConnection(name) ?? throw new RunnelException($"Connection '{name}' does not exist." + Sql.Binding.NameSuggester.Hint(name, ConnectionNames));
        return new ConnectionInfo { Name = name, Type = c.Type, Endpoint = c.Endpoint, Options = c.Options, Secrets = Reveal(c.Secrets) };
    }

    public ModelVersionInfo VersionInfo(string name, StoredModel model, StoredVersion version) => new()
    {
        ModelName = name,
        Version = version.Id,
        Task = model.Task,
        Signature = model.Signature(),
        Options = version.Options,
        Secrets = Reveal(version.Secrets),
        Artifact = version.Trained ? Store.LoadArtifact(name, version.Id) : null,
    };
}
