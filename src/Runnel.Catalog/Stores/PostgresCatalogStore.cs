using Npgsql;
using Runnel.Core.Errors;

namespace Runnel.Catalog.Stores;

/// <summary>
/// A catalog shared by every worker that names the same PostgreSQL database (<c>--catalog postgresql://..</c>), so
/// workers on different machines see the same tables, views, connections and models (with trained artifacts). The
/// same layout as the SQLite catalog: <c>catalog_objects</c> (namespace, name, kind, definition, created_at) and
/// <c>model_artifacts</c> (model, version, data), created on first use under an advisory lock; every call is its own
/// statement or transaction (Npgsql, pooled connections). Secrets are stored encrypted, as in SQLite: every worker
/// needs the same key (<c>RUNNEL_SECRET_KEY</c>, or the same <c>catalog.key</c> in its <see cref="DataDirectory"/>).
/// Managed tables keep their data in <see cref="DataDirectory"/>, which is local to each worker.
/// </summary>
public sealed class PostgresCatalogStore : ICatalogStore
{
    private readonly NpgsqlDataSource _source;

    /// <summary>Opens the catalog in the database of <paramref name="connection"/> (a <c>postgresql://user:password@host:port/database?sslmode=..</c>
    /// URI or an Npgsql connection string), creating its tables when needed; <paramref name="dataDirectory"/> holds
    /// local data (managed tables, the secret key file, the model cache). Throws <see cref="RunnelException"/> when the
    /// database cannot be reached, naming the host but never the password.</summary>
    public PostgresCatalogStore(string connection, string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(connection);
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        var builder = new NpgsqlConnectionStringBuilder(ToConnectionString(connection));
        Location = $"postgresql://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}";
        DataDirectory = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(DataDirectory);
        _source = NpgsqlDataSource.Create(builder);
        try
        {
            using var c = _source.OpenConnection();
            using var tx = c.BeginTransaction();
            // Two workers starting at once must not both create the tables.
            Execute(c, tx, "SELECT pg_advisory_xact_lock(7385164022)");
            Execute(c, tx, """
                CREATE TABLE IF NOT EXISTS catalog_objects (
                    namespace TEXT NOT NULL,
                    name TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    definition TEXT NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL,
                    PRIMARY KEY (namespace, name)
                );
                CREATE TABLE IF NOT EXISTS model_artifacts (
                    model TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    data BYTEA NOT NULL,
                    PRIMARY KEY (model, version)
                );
                """);
            tx.Commit();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            _source.Dispose();
            throw new RunnelException($"Cannot open the catalog at {Location}: {e.Message}", e);
        }
    }

    /// <summary>The Npgsql connection string of a <c>postgresql://</c> (or <c>postgres://</c>) URI; any other text is
    /// taken as a connection string already. Query parameters become keywords (<c>sslmode=require</c>).</summary>
    public static string ToConnectionString(string connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (!connection.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) && !connection.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
            return connection;
        var uri = new Uri(connection);
        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host, Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port };
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0) builder.Database = database;
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length > 1) builder.Password = Uri.UnescapeDataString(parts[1]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            builder[Uri.UnescapeDataString(kv[0]).Replace('_', ' ')] = kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : "";
        }
        return builder.ConnectionString;
    }

    /// <inheritdoc />
    public string Location { get; }
    /// <inheritdoc />
    public string DataDirectory { get; }

    private static void Execute(NpgsqlConnection c, NpgsqlTransaction? tx, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, c, tx);
        cmd.ExecuteNonQuery();
    }

    private NpgsqlCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var cmd = _source.CreateCommand(sql);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        return cmd;
    }

    private static CatalogEntry Read(NpgsqlDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3));

    /// <inheritdoc />
    public IReadOnlyList<CatalogEntry> List()
    {
        using var cmd = Command("SELECT kind, name, definition, created_at FROM catalog_objects ORDER BY name");
        using var r = cmd.ExecuteReader();
        var list = new List<CatalogEntry>();
        while (r.Read()) list.Add(Read(r));
        return list;
    }

    /// <inheritdoc />
    public CatalogEntry? Get(string kind, string name)
    {
        using var cmd = Command("SELECT kind, name, definition, created_at FROM catalog_objects WHERE namespace = @ns AND name = @name",
            ("ns", CatalogKinds.Namespace(kind)), ("name", name));
        using var r = cmd.ExecuteReader();
        return r.Read() ? Read(r) : null;
    }

    /// <inheritdoc />
    public bool TryAdd(CatalogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        using var cmd = Command("INSERT INTO catalog_objects(namespace, name, kind, definition, created_at) VALUES (@ns, @name, @kind, @def, @at) ON CONFLICT (namespace, name) DO NOTHING",
            ("ns", CatalogKinds.Namespace(entry.Kind)), ("name", entry.Name), ("kind", entry.Kind), ("def", entry.Definition), ("at", entry.CreatedAt.ToUniversalTime()));
        return cmd.ExecuteNonQuery() == 1;
    }

    /// <inheritdoc />
    public bool TryUpdate(CatalogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        using var cmd = Command("UPDATE catalog_objects SET definition = @def WHERE namespace = @ns AND name = @name AND kind = @kind",
            ("ns", CatalogKinds.Namespace(entry.Kind)), ("name", entry.Name), ("kind", entry.Kind), ("def", entry.Definition));
        return cmd.ExecuteNonQuery() == 1;
    }

    /// <inheritdoc />
    public bool TryRemove(string kind, string name)
    {
        using var c = _source.OpenConnection();
        using var tx = c.BeginTransaction();
        using var cmd = new NpgsqlCommand("DELETE FROM catalog_objects WHERE namespace = @ns AND name = @name", c, tx);
        cmd.Parameters.AddWithValue("ns", CatalogKinds.Namespace(kind));
        cmd.Parameters.AddWithValue("name", name);
        var removed = cmd.ExecuteNonQuery() == 1;
        if (removed && kind == CatalogKinds.Model)
        {
            using var art = new NpgsqlCommand("DELETE FROM model_artifacts WHERE model = @name", c, tx);
            art.Parameters.AddWithValue("name", name);
            art.ExecuteNonQuery();
        }
        tx.Commit();
        return removed;
    }

    /// <inheritdoc />
    public void SaveArtifact(string model, int version, byte[] data)
    {
        using var cmd = Command("INSERT INTO model_artifacts(model, version, data) VALUES (@m, @v, @d) ON CONFLICT (model, version) DO UPDATE SET data = excluded.data",
            ("m", model), ("v", version), ("d", data));
        cmd.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public byte[]? LoadArtifact(string model, int version)
    {
        using var cmd = Command("SELECT data FROM model_artifacts WHERE model = @m AND version = @v", ("m", model), ("v", version));
        return cmd.ExecuteScalar() as byte[];
    }

    /// <inheritdoc />
    public void DeleteArtifact(string model, int version)
    {
        using var cmd = Command("DELETE FROM model_artifacts WHERE model = @m AND version = @v", ("m", model), ("v", version));
        cmd.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public void Dispose() => _source.Dispose();
}
