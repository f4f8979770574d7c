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

    /// <summary>Opens (creating when needed) the SQLite catalog at <paramref name="path"/> and migrates older layouts.</summary>
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
        MigrateToNamespaces(c);
        Execute(c, """
            CREATE TABLE IF NOT EXISTS catalog_objects (
                namespace TEXT NOT NULL,
                name TEXT NOT NULL,
                kind TEXT NOT NULL,
                definition TEXT NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (namespace, name)
            );
            CREATE TABLE IF NOT EXISTS model_artifacts (
                model TEXT NOT NULL,
                version INTEGER NOT NULL,
                data BLOB NOT NULL,
                PRIMARY KEY (model, version)
            );
            """);
    }

    /// <summary>Catalogs written before models and connections existed keyed objects by name alone; move them into
    /// the (namespace, name) layout, keeping every table and view.</summary>
    private static void MigrateToNamespaces(SqliteConnection c)
    {
        using var check = c.CreateCommand();
        check.CommandText = "SELECT COUNT(*) FROM pragma_table_info('catalog_objects')";
        var columns = Convert.ToInt32(check.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        check.CommandText = "SELECT COUNT(*) FROM pragma_table_info('catalog_objects') WHERE name = 'namespace'";
        var hasNamespace = Convert.ToInt32(check.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 1;
        if (columns == 0 || hasNamespace) return;
        using var tx = c.BeginTransaction();
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            CREATE TABLE catalog_objects_v2 (namespace TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, definition TEXT NOT NULL,
                created_at TEXT NOT NULL, PRIMARY KEY (namespace, name));
            INSERT INTO catalog_objects_v2 SELECT 'relation', name, kind, definition, created_at FROM catalog_objects;
            DROP TABLE catalog_objects;
            ALTER TABLE catalog_objects_v2 RENAME TO catalog_objects;
            """;
        cmd.ExecuteNonQuery();
        tx.Commit();
    }

    /// <inheritdoc />
    public string Location { get; }
    /// <inheritdoc />
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

    /// <inheritdoc />
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

    /// <inheritdoc />
    public CatalogEntry? Get(string kind, string name)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT kind, name, definition, created_at FROM catalog_objects WHERE namespace = $ns AND name = $name";
        cmd.Parameters.AddWithValue("$ns", CatalogKinds.Namespace(kind));
        cmd.Parameters.AddWithValue("$name", name);
        using var r = cmd.ExecuteReader();
        return r.Read() ? Read(r) : null;
    }

    /// <inheritdoc />
    public bool TryAdd(CatalogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "INSERT INTO catalog_objects(namespace, name, kind, definition, created_at) VALUES ($ns, $name, $kind, $def, $at) ON CONFLICT(namespace, name) DO NOTHING";
        cmd.Parameters.AddWithValue("$ns", CatalogKinds.Namespace(entry.Kind));
        cmd.Parameters.AddWithValue("$name", entry.Name);
        cmd.Parameters.AddWithValue("$kind", entry.Kind);
        cmd.Parameters.AddWithValue("$def", entry.Definition);
        cmd.Parameters.AddWithValue("$at", entry.CreatedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        return cmd.ExecuteNonQuery() == 1;
    }

    /// <inheritdoc />
    public bool TryUpdate(CatalogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "UPDATE catalog_objects SET definition = $def WHERE namespace = $ns AND name = $name AND kind = $kind";
        cmd.Parameters.AddWithValue("$ns", CatalogKinds.Namespace(entry.Kind));
        cmd.Parameters.AddWithValue("$name", entry.Name);
        cmd.Parameters.AddWithValue("$kind", entry.Kind);
        cmd.Parameters.AddWithValue("$def", entry.Definition);
        return cmd.ExecuteNonQuery() == 1;
    }

    /// <inheritdoc />
    public bool TryRemove(string kind, string name)
    {
        using var c = Open();
        using var tx = c.BeginTransaction();
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "DELETE FROM catalog_objects WHERE namespace = $ns AND name = $name";
        cmd.Parameters.AddWithValue("$ns", CatalogKinds.Namespace(kind));
        cmd.Parameters.AddWithValue("$name", name);
        var removed = cmd.ExecuteNonQuery() == 1;
        if (removed && kind == CatalogKinds.Model)
        {
            using var art = c.CreateCommand();
            art.Transaction = tx;
            art.CommandText = "DELETE FROM model_artifacts WHERE model = $name";
            art.Parameters.AddWithValue("$name", name);
            art.ExecuteNonQuery();
        }
        tx.Commit();
        return removed;
    }

    /// <inheritdoc />
    public void SaveArtifact(string model, int version, byte[] data)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "INSERT INTO model_artifacts(model, version, data) VALUES ($m, $v, $d) ON CONFLICT(model, version) DO UPDATE SET data = excluded.data";
        cmd.Parameters.AddWithValue("$m", model);
        cmd.Parameters.AddWithValue("$v", version);
        cmd.Parameters.AddWithValue("$d", data);
        cmd.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public byte[]? LoadArtifact(string model, int version)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT data FROM model_artifacts WHERE model = $m AND version = $v";
        cmd.Parameters.AddWithValue("$m", model);
        cmd.Parameters.AddWithValue("$v", version);
        return cmd.ExecuteScalar() as byte[];
    }

    /// <inheritdoc />
    public void DeleteArtifact(string model, int version)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "DELETE FROM model_artifacts WHERE model = $m AND version = $v";
        cmd.Parameters.AddWithValue("$m", model);
        cmd.Parameters.AddWithValue("$v", version);
        cmd.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public void Dispose() => SqliteConnection.ClearAllPools();
}
