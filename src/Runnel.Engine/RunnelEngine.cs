using Runnel.Catalog;
using Runnel.Catalog.Stores;
using Runnel.Connectors.Abstractions;
using Runnel.Core.Errors;
using Runnel.Execution.Runtime;
using Runnel.Sql.Ast;
using Runnel.Sql.Binding;
using Runnel.Sql.Parsing;

namespace Runnel.Engine;

/// <summary>Construction options of <see cref="RunnelEngine"/>.</summary>
public sealed class RunnelEngineOptions
{
    /// <summary>SQLite catalog file; default <c>./.runnel/catalog.db</c>. Ignored when <see cref="Store"/> is set.</summary>
    public string CatalogPath { get; init; } = Path.Combine(".runnel", "catalog.db");
    /// <summary>A catalog store to use instead of the SQLite file at <see cref="CatalogPath"/>.</summary>
    public ICatalogStore? Store { get; init; }
    /// <summary>Connectors; default every built-in one (<see cref="ConnectorRegistryExtensions.AddBuiltIns"/>).</summary>
    public ConnectorRegistry? Connectors { get; init; }
    /// <summary>Where the print connector writes; default standard output.</summary>
    public TextWriter? PrintOutput { get; init; }
    /// <summary>Session configuration applied at start (like <c>SET</c> statements).</summary>
    public IReadOnlyDictionary<string, string>? Configuration { get; init; }
    /// <summary>Extra lateral or table-valued functions to bind (beside the model functions).</summary>
    public IReadOnlyList<ITableFunctionBinder> TableFunctionBinders { get; init; } = [];
    /// <summary>Runtimes of <see cref="TableFunctionBinders"/>.</summary>
    public IReadOnlyList<ITableFunctionRuntime> TableFunctionRuntimes { get; init; } = [];
    /// <summary>Model providers; default every built-in one (<c>local</c>, <c>openai</c>).</summary>
    public Models.ModelProviderRegistry? ModelProviders { get; init; }
}

/// <summary>
/// The embeddable engine: give it SQL, get statement results and running jobs. One engine is one session (its SET
/// configuration and temporary objects) over a persistent catalog, which other engines and processes may share.
/// Statements run one at a time per engine (callers must not execute concurrently on one instance); the jobs and
/// queries they start run in the background until they finish or are stopped.
/// </summary>
public sealed partial class RunnelEngine : IAsyncDisposable
{
    private readonly List<RunnelJob> _jobs = [];

    /// <summary>Opens the catalog (creating it when needed) and prepares a session; <paramref name="options"/> null means the defaults.</summary>
    public RunnelEngine(RunnelEngineOptions? options = null)
    {
        options ??= new RunnelEngineOptions();
        Store = options.Store ?? new SqliteCatalogStore(options.CatalogPath);
        Connectors = options.Connectors ?? new ConnectorRegistry().AddBuiltIns();
        PrintOutput = options.PrintOutput;
        ModelProviders = options.ModelProviders ?? new Models.ModelProviderRegistry().AddBuiltIns();
        Models = new Models.ModelCatalog(Store, SecretCipher.ForCatalog(Store.DataDirectory));
        var inference = new Models.ModelFunctions(this);
        SelectRewriters = [inference, new Models.MlEvaluateRewriter(this)];
        TableFunctionBinders = [inference, .. options.TableFunctionBinders];
        TableFunctionRuntimes = [inference, .. options.TableFunctionRuntimes];
        if (options.Configuration is not null)
            foreach (var (k, v) in options.Configuration) Session.Set(k, v);
    }

    /// <summary>The catalog store.</summary>
    public ICatalogStore Store { get; }
    /// <summary>The registered model providers.</summary>
    public Models.ModelProviderRegistry ModelProviders { get; }
    /// <summary>Connections and models in the catalog.</summary>
    public Models.ModelCatalog Models { get; }
    /// <summary>Answers of deterministic models, shared by this engine's statements (<see cref="Models.ModelResultCache"/>).</summary>
    public Models.ModelResultCache ModelCache { get; } = new();
    internal Models.ModelVersionRuntime.Registry ModelRuntimes { get; } = new();
    private Models.PersistentModelCache? _persistentCache;

    /// <summary>Model answers kept across runs in the catalog directory (<c>model-cache.db</c>), opened on first use by
    /// a model with <c>'runnel.cache.persist' = 'true'</c>.</summary>
    public Models.PersistentModelCache PersistentModelCache =>
        LazyInitializer.EnsureInitialized(ref _persistentCache, () => new Models.PersistentModelCache(Path.Combine(Store.DataDirectory, "model-cache.db")));
    /// <summary>The registered connectors.</summary>
    public ConnectorRegistry Connectors { get; }
    /// <summary>This engine's session: SET configuration and temporary objects.</summary>
    public Session Session { get; } = new();
    internal TextWriter? PrintOutput { get; }
    internal IReadOnlyList<ITableFunctionBinder> TableFunctionBinders { get; }
    internal IReadOnlyList<ITableFunctionRuntime> TableFunctionRuntimes { get; }

    /// <summary>Jobs started by this engine, running or ended.</summary>
    public IReadOnlyList<RunnelJob> Jobs
    {
        get { lock (_jobs) return _jobs.ToList(); }
    }

    internal void Track(RunnelJob job)
    {
        lock (_jobs) _jobs.Add(job);
    }

    /// <summary>Parses a script into statements (nothing runs); throws <see cref="SqlException"/> with line and column.</summary>
    public static IReadOnlyList<Statement> Parse(string sql) => Parser.ParseScript(sql);

    /// <summary>Parses and runs every statement of <paramref name="sql"/> in order, yielding each result as it is
    /// produced; stops at the first failing statement by throwing its error.</summary>
    public async IAsyncEnumerable<StatementResult> ExecuteScriptAsync(string sql,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var statement in Parse(sql))
            yield return await ExecuteAsync(statement, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs one SQL statement given as text.</summary>
    public Task<StatementResult> ExecuteAsync(string sql, CancellationToken cancellationToken = default) =>
        ExecuteAsync(Parser.ParseSingle(sql), cancellationToken);

    /// <summary>Stops every running job gracefully.</summary>
    public async Task StopAllAsync()
    {
        foreach (var job in Jobs.Where(j => j.Status == JobStatus.Running)) await job.StopAsync().ConfigureAwait(false);
    }

    /// <summary>Stops running jobs gracefully and releases the catalog.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAllAsync().ConfigureAwait(false);
        Store.Dispose();
        ModelCache.Dispose();
        _persistentCache?.Dispose();
        await ModelRuntimes.DisposeAsync().ConfigureAwait(false);
    }

    internal ICatalogReader CatalogReader() => Session.Overlay(new CatalogSnapshot(Store));

    internal BindContext BindContext(bool? batchMode = null) => new(CatalogReader(), new ConnectorCapabilities(Connectors),
        new Sql.Functions.BuiltinFunctions(Session.TimeZone), batchMode ?? Session.BatchMode, TableFunctionBinders, SelectRewriters);

    internal IReadOnlyList<ISelectRewriter> SelectRewriters { get; }

    internal JobContext JobContext(bool? batchMode = null) => new()
    {
        Connectors = Connectors,
        CatalogDirectory = Store.DataDirectory,
        TimeZone = Session.TimeZone,
        BatchMode = batchMode ?? Session.BatchMode,
        CheckpointInterval = Session.Checkpoint,
        SourceIdleTimeout = Session.IdleTimeout,
        PrintOutput = PrintOutput,
        TableFunctions = TableFunctionRuntimes,
        Connections = ConnectorConnection,
    };

    /// <summary>A catalog connection with its secrets, as connectors take it; throws when it does not exist.</summary>
    internal ConnectorConnection ConnectorConnection(string name)
    {
        var c = Models.ConnectionInfo(name);
        return new ConnectorConnection(c.Name, c.Type, c.Endpoint, c.Options, c.Secrets);
    }
}
