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
    /// <summary>Splits <c>m</c>, <c>m$2</c> or <c>m$all</c> into name and version.</summary>
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

    /// <summary>The reference as written: <c>m</c>, <c>m$2</c> or <c>m$all</c>.</summary>
    public override string ToString() => All ? Name + "$all" : Version is { } v ? $"{Name}${v}" : Name;
}

/// <summary>A stored connection. Secret values are kept encrypted until <see cref="ModelCatalog.Reveal"/>.</summary>
public sealed class StoredConnection
{
    /// <summary>Connection type, lower-case.</summary>
    public required string Type { get; set; }
    /// <summary>Endpoint URL, if the type has one.</summary>
    public string? Endpoint { get; set; }
    /// <summary>The COMMENT of CREATE CONNECTION.</summary>
    public string? Comment { get; set; }
    /// <summary>Non-secret options other than type and endpoint.</summary>
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
    /// <summary>Version number, from 1.</summary>
    public int Id { get; set; }
    /// <summary>Non-secret options, keys lower-case.</summary>
    public Dictionary<string, string> Options { get; set; } = [];
    /// <summary>Secret options: key to encrypted value.</summary>
    public Dictionary<string, string> Secrets { get; set; } = [];
    /// <summary>True when an artifact is stored for this version.</summary>
    public bool Trained { get; set; }
    /// <summary>When the version was created.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A stored model: signature, task and comment (the same in every version), versions and the default.</summary>
public sealed class StoredModel
{
    /// <summary>INPUT columns.</summary>
    public List<StoredColumn> Input { get; set; } = [];
    /// <summary>OUTPUT columns.</summary>
    public List<StoredColumn> Output { get; set; } = [];
    /// <summary>The model's COMMENT.</summary>
    public string? Comment { get; set; }
    /// <summary>The task, the same in every version.</summary>
    public required string Task { get; set; }
    /// <summary>The version used when none is named.</summary>
    public int DefaultVersion { get; set; } = 1;
    /// <summary>Every version, in creation order.</summary>
    public List<StoredVersion> Versions { get; set; } = [];

    /// <summary>The version with that id, or null.</summary>
    public StoredVersion? Find(int id) => Versions.FirstOrDefault(v => v.Id == id);

    /// <summary>INPUT and OUTPUT as typed columns.</summary>
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

    /// <summary>The catalog store the definitions live in.</summary>
    public ICatalogStore Store { get; } = store;
    /// <summary>The cipher that encrypts and decrypts secrets.</summary>
    public SecretCipher Cipher { get; } = cipher;

    /// <summary>A stored connection, or null.</summary>
    public StoredConnection? GetConnection(string name) =>
        Store.Get(CatalogKinds.Connection, name) is { } e ? JsonSerializer.Deserialize<StoredConnection>(e.Definition, Json) : null;

    /// <summary>Names of every connection.</summary>
    public IReadOnlyList<string> ConnectionNames =>
        Store.List().Where(e => e.Kind == CatalogKinds.Connection).Select(e => e.Name).ToList();

    /// <summary>Stores a new connection; false when the name is taken.</summary>
    public bool AddConnection(string name, StoredConnection c) =>
        Store.TryAdd(new CatalogEntry(CatalogKinds.Connection, name, JsonSerializer.Serialize(c, Json), DateTimeOffset.UtcNow));

    /// <summary>Replaces a connection's stored definition.</summary>
    public void UpdateConnection(string name, StoredConnection c) =>
        Store.TryUpdate(new CatalogEntry(CatalogKinds.Connection, name, JsonSerializer.Serialize(c, Json), DateTimeOffset.UtcNow));

    /// <summary>A stored model, or null.</summary>
    public StoredModel? GetModel(string name) =>
        Store.Get(CatalogKinds.Model, name) is { } e ? JsonSerializer.Deserialize<StoredModel>(e.Definition, Json) : null;

    /// <summary>Names of every model.</summary>
    public IReadOnlyList<string> ModelNames =>
        Store.List().Where(e => e.Kind == CatalogKinds.Model).Select(e => e.Name).ToList();

    /// <summary>Stores a new model; false when the name is taken.</summary>
    public bool AddModel(string name, StoredModel m) =>
        Store.TryAdd(new CatalogEntry(CatalogKinds.Model, name, JsonSerializer.Serialize(m, Json), DateTimeOffset.UtcNow));

    /// <summary>Replaces a model's stored definition.</summary>
    public void UpdateModel(string name, StoredModel m) =>
        Store.TryUpdate(new CatalogEntry(CatalogKinds.Model, name, JsonSerializer.Serialize(m, Json), DateTimeOffset.UtcNow));

    /// <summary>Decrypts stored secrets into <see cref="Core.Options.SecretValue"/>s.</summary>
    public IReadOnlyDictionary<string, SecretValue> Reveal(IReadOnlyDictionary<string, string> encrypted) =>
        encrypted.ToDictionary(kv => kv.Key, kv => new SecretValue(Cipher.Decrypt(kv.Value)));

    /// <summary>The connection with its secrets, for an invoker; throws <see cref="RunnelException"/> when it does not exist.</summary>
    public ConnectionInfo ConnectionInfo(string name)
    {
        var c = GetConnection(name) ?? throw new RunnelException($"Connection '{name}' does not exist." + Sql.Binding.NameSuggester.Hint(name, ConnectionNames));
        return new ConnectionInfo { Name = name, Type = c.Type, Endpoint = c.Endpoint, Options = c.Options, Secrets = Reveal(c.Secrets) };
    }

    /// <summary>A model version as a provider needs it, with its artifact loaded from the store.</summary>
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
