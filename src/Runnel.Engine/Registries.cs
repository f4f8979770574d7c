using Runnel.Connectors.Abstractions;
using Runnel.Connectors.Blackhole;
using Runnel.Connectors.Datagen;
using Runnel.Connectors.Files;
using Runnel.Connectors.Managed;
using Runnel.Connectors.Print;
using Runnel.Sql.Binding;

namespace Runnel.Engine;

/// <summary>The one place connectors are registered (no assembly scanning).</summary>
public static class ConnectorRegistryExtensions
{
    /// <summary>Registers the <c>filesystem</c> connector.</summary>
    public static ConnectorRegistry AddFiles(this ConnectorRegistry r) => r.Add(new FileSystemConnector());
    /// <summary>Registers the <c>datagen</c> connector.</summary>
    public static ConnectorRegistry AddDatagen(this ConnectorRegistry r) => r.Add(new DatagenConnector());
    /// <summary>Registers the <c>print</c> connector.</summary>
    public static ConnectorRegistry AddPrint(this ConnectorRegistry r) => r.Add(new PrintConnector());
    /// <summary>Registers the <c>blackhole</c> connector.</summary>
    public static ConnectorRegistry AddBlackhole(this ConnectorRegistry r) => r.Add(new BlackholeConnector());
    /// <summary>Registers the <c>kafka</c> connector (needs Debian's librdkafka1 at run time).</summary>
    public static ConnectorRegistry AddKafka(this ConnectorRegistry r) =>
        r.Add(new Runnel.Connectors.Kafka.KafkaConnector()).Add(new Runnel.Connectors.Kafka.KafkaConnector(upsert: true));
    /// <summary>Registers storage for managed tables (tables without a connector).</summary>
    public static ConnectorRegistry AddManagedTables(this ConnectorRegistry r) => r.Add(new ManagedTableConnector());

    /// <summary>Every built-in connector.</summary>
    public static ConnectorRegistry AddBuiltIns(this ConnectorRegistry r) =>
        r.AddManagedTables().AddFiles().AddDatagen().AddPrint().AddBlackhole().AddKafka();
}

/// <summary>Tells the planner what connectors can do.</summary>
internal sealed class ConnectorCapabilities(ConnectorRegistry connectors) : ITableCapabilities
{
    private IConnectorFactory? Factory(CatalogTable table) =>
        connectors.TryGet(table.Connector ?? ManagedTableConnector.ConnectorName, out var f) ? f : null;

    public bool IsBounded(CatalogTable table, bool batchMode) => batchMode || (Factory(table)?.IsBounded(table.Options) ?? false);
    public bool AcceptsUpdates(CatalogTable table) => Factory(table)?.AcceptsUpdates ?? false;
}
