namespace Runnel.Catalog;

/// <summary>Kinds of catalog objects. Tables and views share one namespace.</summary>
public static class CatalogKinds
{
    public const string Table = "TABLE";
    public const string View = "VIEW";
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
    IReadOnlyList<CatalogEntry> List();
    CatalogEntry? Get(string name);
    /// <summary>Adds the entry; false (and no change) when an object of that name exists.</summary>
    bool TryAdd(CatalogEntry entry);
    /// <summary>Replaces the definition of an existing entry; false when it does not exist.</summary>
    bool TryUpdate(CatalogEntry entry);
    /// <summary>Removes the entry; false when it did not exist.</summary>
    bool TryRemove(string name);
}
