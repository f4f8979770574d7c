using Runnel.Core.Errors;
using Runnel.Core.Types;
using Runnel.Engine.Models;
using Runnel.Models.Abstractions;
using Runnel.Sql.Ast;
using Runnel.Sql.Binding;

namespace Runnel.Engine.Statements;

/// <summary>CREATE [OR REPLACE] CONNECTION [IF NOT EXISTS] name [COMMENT] WITH ('type' = .., 'endpoint' = .., secrets..):
/// the type's required secrets are checked, secrets are encrypted in the catalog and never shown again.</summary>
internal static class CreateConnectionHandler
{
    public static StatementResult Execute(RunnelEngine engine, CreateConnectionStatement statement)
    {
        var name = CatalogNames.ObjectName(statement.Name, statement.Position);
        var options = Normalize(statement.Options, statement);
        ConnectionTypes.Validate(options);
        var type = options["type"].ToLowerInvariant();
        var secretKeys = ConnectionTypes.SecretKeys(type);
        var stored = new StoredConnection
        {
            Type = type,
            Endpoint = options.GetValueOrDefault("endpoint"),
            Comment = statement.Comment,
            Options = options.Where(kv => kv.Key is not ("type" or "endpoint") && !secretKeys.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value),
            Secrets = options.Where(kv => secretKeys.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => engine.Models.Cipher.Encrypt(kv.Value)),
        };
        if (engine.Models.GetConnection(name) is not null)
        {
            if (statement.IfNotExists) return RunnelEngine.Ok(statement);
            if (!statement.OrReplace) throw new SqlException($"Connection '{name}' already exists; use CREATE OR REPLACE CONNECTION or ALTER CONNECTION", statement.Position);
            engine.Models.UpdateConnection(name, stored);
            return RunnelEngine.Ok(statement);
        }
        if (!engine.Models.AddConnection(name, stored) && !statement.IfNotExists)
            throw new SqlException($"Connection '{name}' already exists", statement.Position);
        return RunnelEngine.Ok(statement);
    }

    /// <summary>Option keys in their canonical spelling; a key given twice in two spellings is an error.</summary>
    internal static Dictionary<string, string> Normalize(IReadOnlyList<OptionPair> pairs, Statement statement)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in pairs)
        {
            var key = ConnectionTypes.Normalize(p.Key);
            if (!options.TryAdd(key, p.Value)) throw new SqlException($"Option '{key}' is given twice (hyphen and underscore spellings are the same key)", p.Position);
        }
        return options;
    }
}

/// <summary>ALTER CONNECTION [IF EXISTS] name SET ('api-key' = ..): only secrets may change.</summary>
internal static class AlterConnectionHandler
{
    public static StatementResult Execute(RunnelEngine engine, AlterConnectionStatement statement)
    {
        var name = CatalogNames.ObjectName(statement.Name, statement.Position);
        var stored = engine.Models.GetConnection(name);
        if (stored is null)
        {
            if (statement.IfExists) return RunnelEngine.Ok(statement);
            throw new SqlException($"Connection '{name}' does not exist." + NameSuggester.Hint(name, engine.Models.ConnectionNames), statement.Position);
        }
        var secretKeys = ConnectionTypes.SecretKeys(stored.Type);
        foreach (var (key, value) in CreateConnectionHandler.Normalize(statement.Set, statement))
        {
            if (!secretKeys.Contains(key))
                throw new SqlException($"Only secrets can change with ALTER CONNECTION; '{key}' is not a secret of type '{stored.Type}' (secrets: {string.Join(", ", secretKeys)}). Re-create the connection to change it.", statement.Position);
            if (System.Text.Encoding.UTF8.GetByteCount(value) > ConnectionTypes.MaxSecretBytes)
                throw new SqlException($"Secret '{key}' is longer than {ConnectionTypes.MaxSecretBytes} bytes", statement.Position);
            stored.Secrets[key] = engine.Models.Cipher.Encrypt(value);
        }
        engine.Models.UpdateConnection(name, stored);
        return RunnelEngine.Ok(statement);
    }
}

/// <summary>DROP CONNECTION [IF EXISTS] name: also deletes its stored secrets.</summary>
internal static class DropConnectionHandler
{
    public static StatementResult Execute(RunnelEngine engine, DropConnectionStatement statement)
    {
        var name = CatalogNames.ObjectName(statement.Name, statement.Position);
        if (!engine.Store.TryRemove(Catalog.CatalogKinds.Connection, name) && !statement.IfExists)
            throw new SqlException($"Connection '{name}' does not exist." + NameSuggester.Hint(name, engine.Models.ConnectionNames), statement.Position);
        return RunnelEngine.Ok(statement);
    }
}

/// <summary>DESCRIBE CONNECTION (Name | Type | Endpoint | Comment) and SHOW CONNECTIONS (Name).</summary>
internal static class ConnectionListings
{
    public static StatementResult Describe(RunnelEngine engine, DescribeStatement statement)
    {
        var name = CatalogNames.ObjectName(statement.Name, statement.Position);
        var c = engine.Models.GetConnection(name) ?? throw new SqlException($"Connection '{name}' does not exist." + NameSuggester.Hint(name, engine.Models.ConnectionNames), statement.Position);
        var schema = new Schema(new[] { "Name", "Type", "Endpoint", "Comment" }.Select(n => new Column(n, SqlType.String)).ToList());
        return new TableResult(statement, schema, [[name, c.Type.ToUpperInvariant(), c.Endpoint ?? "", c.Comment ?? ""]]);
    }

    public static IEnumerable<string> Names(RunnelEngine engine) => engine.Models.ConnectionNames;
}
