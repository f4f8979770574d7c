using Runnel.Catalog;
using Runnel.Connectors.Managed;
using Runnel.Core.Errors;
using Runnel.Core.Types;
using Runnel.Sql.Ast;
using Runnel.Sql.Binding;
using Runnel.Sql.Functions;

namespace Runnel.Engine.Statements;

/// <summary>CREATE [TEMPORARY] TABLE [IF NOT EXISTS] ... [WITH (...)] [AS SELECT ...]. Validates the WITH options
/// against the connector's schema (a table with no connector is a managed table), resolves columns, computed columns
/// and the watermark, and stores the normalized DDL. CREATE TABLE AS also starts the INSERT job.</summary>
internal static class CreateTableHandler
{
    public static async Task<StatementResult> ExecuteAsync(RunnelEngine engine, CreateTableStatement statement, CancellationToken cancellationToken)
    {
        var name = CatalogNames.ObjectName(statement.Name, statement.Position);
        var context = engine.BindContext();
        var definition = statement with { IfNotExists = false, AsQuery = null, Temporary = false, Name = new QualifiedName(name) };
        if (statement.AsQuery is not null)
        {
            if (statement.Columns.Count > 0)
                throw new SqlException("CREATE TABLE AS SELECT derives its columns from the query; remove the column list", statement.Position);
            var plan = new QueryBinder(context).BindQuery(statement.AsQuery);
            definition = definition with
            {
                Columns = plan.Schema.Columns.Select(c => (TableElement)new PhysicalColumnDef(c.Name, c.Type.Kind == TypeKind.Char ? SqlType.String.WithNullable(c.Type.IsNullable) : c.Type, null)).ToList(),
            };
        }
        if (engine.Session.ManagedTablesOnKafka is { } home && !statement.Temporary && !definition.Options.Any(o => o.Key.Equals("connector", StringComparison.OrdinalIgnoreCase)))
            definition = OnKafka(engine, definition, name, home);
        var table = new CatalogTable(name, definition);
        Validate(engine, table, statement);
        var exists = context.Catalog.TryGetTable(name, out _) || context.Catalog.TryGetView(name, out _);
        if (exists)
        {
            if (statement.IfNotExists) return RunnelEngine.Ok(statement);
            throw new RunnelException($"Could not execute CreateTable in path `{CatalogNames.DefaultCatalog}`.`{CatalogNames.DefaultDatabase}`.`{name}`: table or view '{name}' already exists");
        }
        if (statement.Temporary) engine.Session.TemporaryTables[name] = table;
        else
        {
            var entry = new CatalogEntry(CatalogKinds.Table, name, SqlFormatter.Format(definition), DateTimeOffset.UtcNow);
            if (!engine.Store.TryAdd(entry))
            {
                if (statement.IfNotExists) return RunnelEngine.Ok(statement);
                throw new RunnelException($"Could not execute CreateTable: table or view '{name}' already exists");
            }
            if (table.IsManaged) TableLog.Delete(engine.Store.DataDirectory, name);
        }
        if (statement.AsQuery is null) return RunnelEngine.Ok(statement);
        var insert = new InsertStatement(new QualifiedName(name), false, null, statement.AsQuery) { Position = statement.Position, Text = statement.Text };
        return await InsertHandler.ExecuteAsync(engine, insert, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A managed table on Kafka (session key <see cref="Session.ManagedKafkaConnection"/>): topic
    /// <paramref name="name"/> on connection <paramref name="home"/>, JSON values, read from the earliest offset; with a
    /// PRIMARY KEY an upsert-kafka table keyed by it. The topic is created now (broker defaults for partitions and
    /// replication) unless it exists; a broker that refuses or does not answer in time leaves it to be created on
    /// first use. The stored DDL carries these options, so every worker sharing the catalog reads the same topic.</summary>
    private static CreateTableStatement OnKafka(RunnelEngine engine, CreateTableStatement definition, string name, string home)
    {
        var connection = engine.ConnectorConnection(home);
        if (!connection.Type.Equals("kafka", StringComparison.OrdinalIgnoreCase))
            throw new RunnelException($"'{Session.ManagedKafkaConnection}' names connection '{home}' of type '{connection.Type}'; managed tables need a connection of type 'kafka'");
        var upsert = definition.PrimaryKey is not null;
        List<OptionPair> options =
        [
            new("connector", upsert ? "upsert-kafka" : "kafka"),
            new("kafka.connection", home),
            new("topic", name),
            new("value.format", "json"),
            .. upsert ? [new OptionPair("key.format", "json")] : new[] { new OptionPair("scan.startup.mode", "earliest-offset") },
            .. definition.Options,
        ];
        Runnel.Connectors.Kafka.KafkaTopics.TryCreate(connection, name, TimeSpan.FromSeconds(5));
        return definition with { Options = options };
    }

    internal static void Validate(RunnelEngine engine, CatalogTable table, Statement statement)
    {
        var connectorName = table.Connector ?? ManagedTableConnector.ConnectorName;
        if (!engine.Connectors.TryGet(connectorName, out var factory))
            throw new RunnelException($"Could not find any factory for identifier '{table.Connector}' that implements 'DynamicTableFactory'.\n\nAvailable factory identifiers are:\n\n{string.Join("\n", engine.Connectors.Names.Where(n => n != ManagedTableConnector.ConnectorName))}");
        factory.GetOptionSchema(table.Options).Validate(table.Options);
        // Resolving checks column types, computed columns, metadata and the watermark.
        TableResolver.Resolve(table, new ExpressionBinder(new BuiltinFunctions(engine.Session.TimeZone)));
    }
}
