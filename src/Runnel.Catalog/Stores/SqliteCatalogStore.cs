using Microsoft.Data.Sqlite;

namespace Runnel.Catalog.Stores;

/// <summary>
/// The embedded catalog: a SQLite database (default <c>./.runnel/catalog.db</c>) in WAL mode with a busy timeout, so
/// several <c>runnel</c> processes can read and change it at once; every change is one transaction. Managed tables
/// keep their data in the same directory.
/// </summary>
public sealed class SqliteCatalogStore : ICatalogStore
{
    private readonly string _connectionString;

    public SqliteCatalogStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        Location = full;
        DataDirectory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(DataDirectory);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false, DefaultTimeout = 30 }.ToString();
        using var c = Open();
        Execute(c, "PRAGMA journal_mode=WAL;");
        Execute(c, """
            CREATE TABLE IF NOT EXISTS catalog_objects (
                name TEXT NOT NULL PRIMARY KEY,
                kind TEXT NOT NULL,
                definition TEXT NOT NULL,
                created_at TEXT NOT NULL
            );
            """);
    }

    public string Location { get; }
    public string DataDirectory { get; }

    private SqliteConnection Open()
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        Execute(c, "PRAGMA busy_timeout=30000;");
        return c;
    }

    private static void Execute(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public IReadOnlyList<CatalogEntry> List()
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT kind, name, definition, created_at FROM catalog_objects ORDER BY name";
        using var r = cmd.ExecuteReader();
        var list = new List<CatalogEntry>();
        while (r.Read()) list.Add(Read(r));
        return list;
    }

    private static CatalogEntry Read(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), DateTimeOffset.Parse(r.GetString(3), System.Globalization.CultureInfo.InvariantCulture));

    public CatalogEntry? Get(string name)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT kind, name, definition, created_at FROM catalog_objects WHERE name = $name";
        cmd.Parameters.AddWithValue("$name", name);
        using var r = cmd.ExecuteReader();
        return r.Read() ? Read(r) : null;
    }

    public bool TryAdd(CatalogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "INSERT INTO catalog_objects(name, kind, definition, created_at) VALUES ($name, $kind, $def, $at) ON CONFLICT(name) DO NOTHING";
        cmd.Parameters.AddWithValue("$name", entry.Name);
        cmd.Parameters.AddWithValue("$kind", entry.Kind);
        cmd.Parameters.AddWithValue("$def", entry.Definition);
        cmd.Parameters.AddWithValue("$at", entry.CreatedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        return cmd.ExecuteNonQuery() == 1;
    }

    public bool TryUpdate(CatalogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "UPDATE catalog_objects SET definition = $def WHERE name = $name AND kind = $kind";
        cmd.Parameters.AddWithValue("$name", entry.Name);
        cmd.Parameters.AddWithValue("$kind", entry.Kind);
        cmd.Parameters.AddWithValue("$def", entry.Definition);
        return cmd.ExecuteNonQuery() == 1;
    }

    public bool TryRemove(string name)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "DELETE FROM catalog_objects WHERE name = $name";
        cmd.Parameters.AddWithValue("$name", name);
        return cmd.ExecuteNonQuery() == 1;
    }

    public void Dispose() => SqliteConnection.ClearAllPools();
}
