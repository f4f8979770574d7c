namespace Runnel.Catalog;

/// <summary>Kinds of catalog objects. Tables and views share one namespace.</summary>
public static class CatalogKinds
{
    /// <summary>A table (source and sink, or managed).</summary>
    public const string Table = "TABLE";
    /// <summary>A view: a stored query.</summary>
    public const string View = "VIEW";
    /// <summary>A model with its versions.</summary>
    public const string Model = "MODEL";
    /// <summary>A connection: endpoint and encrypted credentials.</summary>
    public const string Connection = "CONNECTION";

    /// <summary>The namespace of a kind: tables and views share one; models and connections each have their own,
    /// as in Flink and Confluent.</summary>
    public static string Namespace(string kind) => kind is Table or View ? "relation" : kind.ToLowerInvariant();
}

/// <summary>One stored object: its kind, name and definition (the normalized DDL statement that recreates it).</summary>
public sealed record CatalogEntry(string Kind, string Name, string Definition, DateTimeOffset CreatedAt);

/// <summary>
/// Persists catalog entries. Implementations must be safe for several processes using the same store at once
/// (each call is its own transaction) and for concurrent calls within a process. Names are case-sensitive, as in
/// Flink.
/// </summary>
public interface ICatalogStore : IDisposable
{
    /// <summary>A human-readable location, e.g. the database file path.</summary>
    string Location { get; }
    /// <summary>Directory for data that belongs with the catalog (managed tables).</summary>
    string DataDirectory { get; }
    /// <summary>Every entry of every kind, ordered by name.</summary>
    IReadOnlyList<CatalogEntry> List();
    /// <summary>The entry named <paramref name="name"/> in the namespace of <paramref name="kind"/>.</summary>
    CatalogEntry? Get(string kind, string name);
    /// <summary>Adds the entry; false (and no change) when an object of that name exists.</summary>
    bool TryAdd(CatalogEntry entry);
    /// <summary>Replaces the definition of an existing entry; false when it does not exist.</summary>
    bool TryUpdate(CatalogEntry entry);
    /// <summary>Removes the entry (and a model's artifacts); false when it did not exist.</summary>
    bool TryRemove(string kind, string name);
    /// <summary>Stores the trained artifact of a model version (a local model's parameters).</summary>
    void SaveArtifact(string model, int version, byte[] data);
    /// <summary>The artifact of a model version, or null when it has none.</summary>
    byte[]? LoadArtifact(string model, int version);
    /// <summary>Removes a model version's artifact (no error when there is none).</summary>
    void DeleteArtifact(string model, int version);
}
