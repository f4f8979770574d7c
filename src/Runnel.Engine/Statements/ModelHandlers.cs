using System.Text;
using System.Text.RegularExpressions;
using Runnel.Core.Data;
using Runnel.Core.Errors;
using Runnel.Core.Types;
using Runnel.Engine.Models;
using Runnel.Execution.Runtime;
using Runnel.Models.Abstractions;
using Runnel.Sql.Ast;
using Runnel.Sql.Binding;

namespace Runnel.Engine.Statements;

/// <summary>
/// CREATE MODEL [IF NOT EXISTS] m [INPUT (..)] [OUTPUT (..)] [COMMENT] WITH (..) [AS query]. Options are validated
/// against the provider's schema; the connection must exist and be of the provider's type. On an existing name a new
/// version max+1 is added (at most 10), and INPUT, OUTPUT, COMMENT and task must be those of the first version. With
/// AS, the query's rows (bounded snapshot) train a local model whose artifact is stored with the version. Without
/// INPUT/OUTPUT the model takes (input STRING) and returns (output STRING), or (output ARRAY&lt;FLOAT&gt;) for embedding.
/// </summary>
internal static partial class CreateModelHandler
{
    public const int MaxVersions = 10;

    [GeneratedRegex(@"\{\{\s*sessionconfig/([^}\s]+)\s*\}\}")]
    private static partial Regex SessionSecret();

    internal static Dictionary<string, string> Options(RunnelEngine engine, IReadOnlyList<OptionPair> pairs)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in pairs)
        {
            var value = SessionSecret().Replace(p.Value, m => engine.Session.Config.TryGetValue(m.Groups[1].Value, out var v) ? v
                : throw new SqlException($"Option '{p.Key}' refers to session key '{m.Groups[1].Value}', which is not set; run SET '{m.Groups[1].Value}' = '...' first", p.Position));
            if (!options.TryAdd(p.Key.ToLowerInvariant(), value)) throw new SqlException($"Option '{p.Key}' is given twice", p.Position);
        }
        return options;
    }

    public static async Task<StatementResult> ExecuteAsync(RunnelEngine engine, CreateModelStatement statement, CancellationToken cancellationToken)
    {
        var name = CatalogNames.ObjectName(statement.Name, statement.Position);
        if (ModelReference.Parse(name) is { Version: not null } or { All: true })
            throw new SqlException($"CREATE MODEL names the model without a version ('{name}'); versions are numbered by Runnel", statement.Position);
        var options = Options(engine, statement.Options);
        if (!options.TryGetValue("provider", out var providerName)) throw new OptionException("Missing required option 'provider' for CREATE MODEL. Providers: " + string.Join(", ", engine.ModelProviders.Names));
        var provider = engine.ModelProviders.Get(providerName);
        ModelProviderRegistry.Validate(provider, options);
        var task = options["task"].ToLowerInvariant();
        options["task"] = task;
        if (!provider.Tasks.Contains(task) && task != ModelTasks.TextGeneration)
            throw new OptionException($"Provider '{provider.Name}' does not offer task '{task}'; it offers: {string.Join(", ", provider.Tasks)}");
        CheckConnection(engine, provider, options);

        var input = statement.Input?.Select(c => new StoredColumn(c.Name, c.Type.ToString(), c.Comment)).ToList() ?? [new StoredColumn("input", "STRING", null)];
        var output = statement.Output?.Select(c => new StoredColumn(c.Name, c.Type.ToString(), c.Comment)).ToList()
            ?? [new StoredColumn("output", task == ModelTasks.Embedding ? "ARRAY<FLOAT>" : "STRING", null)];
        var model = engine.Models.GetModel(name);
        int id;
        if (model is not null)
        {
            if (statement.IfNotExists) return RunnelEngine.Ok(statement);
            var differs = new List<string>();
            if (!model.Input.SequenceEqual(input)) differs.Add("INPUT");
            if (!model.Output.SequenceEqual(output)) differs.Add("OUTPUT");
            if (model.Comment != statement.Comment) differs.Add("COMMENT");
            if (model.Task != task) differs.Add("task");
            if (differs.Count > 0)
                throw new SqlException($"Model '{name}' exists; a new version must keep its {string.Join(", ", differs)} (only options may differ between versions)", statement.Position);
            if (model.Versions.Count >= MaxVersions)
                throw new SqlException($"Model '{name}' already has {MaxVersions} versions, the maximum; drop one first (DROP MODEL `{name}$<n>`)", statement.Position);
            id = model.Versions.Max(v => v.Id) + 1;
        }
        else
        {
            model = new StoredModel { Input = input, Output = output, Comment = statement.Comment, Task = task, DefaultVersion = 1 };
            id = 1;
        }
        var version = new StoredVersion
        {
            Id = id,
            CreatedAt = DateTimeOffset.UtcNow,
            Options = options.Where(kv => !ModelProviderRegistry.IsSecret(provider, kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value),
            Secrets = options.Where(kv => ModelProviderRegistry.IsSecret(provider, kv.Key)).ToDictionary(kv => kv.Key, kv => engine.Models.Cipher.Encrypt(kv.Value)),
        };
        var info = engine.Models.VersionInfo(name, model, version);
        provider.Validate(info);
        if (statement.AsQuery is not null)
        {
            if (provider is not IModelTrainer trainer)
                throw new SqlException($"Provider '{provider.Name}' does not train models; CREATE MODEL .. AS SELECT is for provider 'local'", statement.Position);
            var rows = await CollectAsync(engine, statement.AsQuery, cancellationToken).ConfigureAwait(false);
            engine.Store.SaveArtifact(name, id, trainer.Train(info, rows));
            version.Trained = true;
        }
        else if (provider is IModelTrainer && task != ModelTasks.Embedding)
            throw new SqlException($"A local {task} model is trained from data: add AS SELECT <input columns>, <label> FROM ...", statement.Position);
        model.Versions.Add(version);
        var stored = id == 1 ? engine.Models.AddModel(name, model) : UpdateExisting(engine, name, model);
        if (!stored) throw new SqlException($"Model '{name}' was created concurrently; run the statement again", statement.Position);
        return new MessageResult(statement, $"`{name}` with version {id} created. Default version: {model.DefaultVersion}");
    }

    private static bool UpdateExisting(RunnelEngine engine, string name, StoredModel model)
    {
        engine.Models.UpdateModel(name, model);
        return true;
    }

    internal static void CheckConnection(RunnelEngine engine, IModelProvider provider, IReadOnlyDictionary<string, string> options)
    {
        if (!provider.NeedsConnection) return;
        if (options.TryGetValue($"{provider.Name}.connection", out var connectionName))
        {
            var c = engine.Models.GetConnection(connectionName) ?? throw new OptionException(
                $"Connection '{connectionName}' named by '{provider.Name}.connection' does not exist." + NameSuggester.Hint(connectionName, engine.Models.ConnectionNames));
            if (!string.Equals(c.Type, provider.Name, StringComparison.OrdinalIgnoreCase))
                throw new OptionException($"Connection '{connectionName}' is of type '{c.Type}', but provider '{provider.Name}' needs a connection of type '{provider.Name}'");
        }
        else if (!options.ContainsKey($"{provider.Name}.endpoint"))
            throw new OptionException($"Missing required option '{provider.Name}.connection' for provider '{provider.Name}'");
    }

    /// <summary>Runs a query to completion in batch mode and returns its rows (the training data).</summary>
    private static async Task<List<object?[]>> CollectAsync(RunnelEngine engine, QueryExpr query, CancellationToken cancellationToken)
    {
        var planned = Planner.Query(engine.BindContext(batchMode: true), query);
        var context = engine.JobContext(batchMode: true);
        var root = OperatorBuilder.Build(planned.Physical);
        var rows = new List<object?[]>();
        await foreach (var batch in root.ExecuteAsync(context, cancellationToken).ConfigureAwait(false))
            rows.AddRange(batch.Rows.Where(r => r.Kind.IsAccumulate()).Select(r => r.Values));
        return rows;
    }
}

/// <summary>ALTER MODEL m[$v] SET (..) / RESET (..) / RENAME TO n. SET 'default_version' picks the default; without
/// a version the default version's options change; the task cannot change.</summary>
internal static class AlterModelHandler
{
    public static StatementResult Execute(RunnelEngine engine, AlterModelStatement statement)
    {
        var reference = ModelReference.Parse(CatalogNames.ObjectName(statement.Name, statement.Position));
        if (ModelListings.Find(engine, reference, statement, statement.IfExists) is not { } model) return RunnelEngine.Ok(statement);
        if (statement.RenameTo is not null)
        {
            var newName = CatalogNames.ObjectName(statement.RenameTo, statement.Position);
            if (engine.Models.GetModel(newName) is not null) throw new SqlException($"Model '{newName}' already exists", statement.Position);
            foreach (var v in model.Versions.Where(v => v.Trained))
                engine.Store.SaveArtifact(newName, v.Id, engine.Store.LoadArtifact(reference.Name, v.Id)!);
            engine.Models.AddModel(newName, model);
            engine.Store.TryRemove(Catalog.CatalogKinds.Model, reference.Name);
            return RunnelEngine.Ok(statement);
        }
        if (reference.All) throw new SqlException("ALTER MODEL takes a model or one version, not $all", statement.Position);
        var version = model.Find(reference.Version ?? model.DefaultVersion);
        if (version is null)
        {
            if (statement.IfExists) return RunnelEngine.Ok(statement);
            throw new SqlException($"Model '{reference.Name}' has no version {reference.Version}", statement.Position);
        }
        var provider = engine.ModelProviders.Get(version.Options["provider"]);
        var set = CreateModelHandler.Options(engine, statement.Set);
        if (set.Remove("default_version", out var dv))
        {
            if (!int.TryParse(dv, System.Globalization.CultureInfo.InvariantCulture, out var n) || model.Find(n) is null)
                throw new SqlException($"Model '{reference.Name}' has no version '{dv}'; versions: {string.Join(", ", model.Versions.Select(v => v.Id))}", statement.Position);
            model.DefaultVersion = n;
        }
        foreach (var frozen in new[] { "task", "provider" })
            if (set.ContainsKey(frozen) || statement.Reset.Contains(frozen, StringComparer.OrdinalIgnoreCase))
                throw new SqlException($"Option '{frozen}' cannot change; create a new model instead", statement.Position);
        foreach (var (k, v) in set)
        {
            if (ModelProviderRegistry.IsSecret(provider, k)) version.Secrets[k] = engine.Models.Cipher.Encrypt(v);
            else version.Options[k] = v;
        }
        foreach (var k in statement.Reset.Select(k => k.ToLowerInvariant()))
        {
            version.Options.Remove(k);
            version.Secrets.Remove(k);
        }
        var all = version.Options.Concat(version.Secrets.ToDictionary(kv => kv.Key, _ => "******")).ToDictionary(kv => kv.Key, kv => kv.Value);
        ModelProviderRegistry.Validate(provider, all);
        CreateModelHandler.CheckConnection(engine, provider, all);
        provider.Validate(engine.Models.VersionInfo(reference.Name, model, version));
        engine.Models.UpdateModel(reference.Name, model);
        return RunnelEngine.Ok(statement);
    }
}

/// <summary>DROP MODEL m (the default version; the lowest remaining becomes the default), m$v, or m$all. Dropping
/// the last version drops the model.</summary>
internal static class DropModelHandler
{
    public static StatementResult Execute(RunnelEngine engine, DropModelStatement statement)
    {
        var reference = ModelReference.Parse(CatalogNames.ObjectName(statement.Name, statement.Position));
        if (ModelListings.Find(engine, reference, statement, statement.IfExists) is not { } model) return RunnelEngine.Ok(statement);
        if (reference.All)
        {
            engine.Store.TryRemove(Catalog.CatalogKinds.Model, reference.Name);
            return RunnelEngine.Ok(statement);
        }
        var id = reference.Version ?? model.DefaultVersion;
        var version = model.Find(id);
        if (version is null)
        {
            if (statement.IfExists) return RunnelEngine.Ok(statement);
            throw new SqlException($"Model '{reference.Name}' has no version {id}; versions: {string.Join(", ", model.Versions.Select(v => v.Id))}", statement.Position);
        }
        model.Versions.Remove(version);
        engine.Store.DeleteArtifact(reference.Name, id);
        if (model.Versions.Count == 0)
        {
            engine.Store.TryRemove(Catalog.CatalogKinds.Model, reference.Name);
            return RunnelEngine.Ok(statement);
        }
        // Runnel decides, as Confluent's DROP MODEL page: the lowest remaining version becomes the default.
        if (model.DefaultVersion == id) model.DefaultVersion = model.Versions.Min(v => v.Id);
        engine.Models.UpdateModel(reference.Name, model);
        return RunnelEngine.Ok(statement);
    }
}

/// <summary>DESCRIBE MODEL, SHOW MODELS and SHOW CREATE MODEL, with every secret shown as ******.</summary>
internal static class ModelListings
{
    /// <summary>The model, or null when it is missing and <paramref name="ifExists"/>; throws naming the closest model otherwise.</summary>
    internal static StoredModel? Find(RunnelEngine engine, ModelReference reference, Statement statement, bool ifExists)
    {
        var model = engine.Models.GetModel(reference.Name);
        if (model is not null || ifExists) return model;
        throw new SqlException($"Model '{reference.Name}' does not exist." + NameSuggester.Hint(reference.Name, engine.Models.ModelNames), statement.Position);
    }

    private static string Columns(IEnumerable<StoredColumn> cols) =>
        "(" + string.Join(", ", cols.Select(c => $"`{c.Name}` {c.Type}" + (c.Comment is null ? "" : $" COMMENT '{c.Comment}'"))) + ")";

    private static IEnumerable<KeyValuePair<string, string>> Shown(StoredVersion v) =>
        v.Options.Concat(v.Secrets.Select(kv => new KeyValuePair<string, string>(kv.Key, Core.Options.SecretValue.Mask))).OrderBy(kv => kv.Key, StringComparer.Ordinal);

    private static string OptionsText(StoredVersion v) => "{" + string.Join(", ", Shown(v).Select(kv => $"{kv.Key}={kv.Value}")) + "}";

    public static StatementResult Describe(RunnelEngine engine, DescribeStatement statement)
    {
        var reference = ModelReference.Parse(CatalogNames.ObjectName(statement.Name, statement.Position));
        var model = engine.Models.GetModel(reference.Name) ?? throw new SqlException(
            $"Model '{reference.Name}' does not exist." + NameSuggester.Hint(reference.Name, engine.Models.ModelNames), statement.Position);
        if (reference.Version is null && !reference.All)
        {
            var schema = new Schema(new[] { "Inputs", "Outputs", "Options", "Comment" }.Select(n => new Column(n, SqlType.String)).ToList());
            return new TableResult(statement, schema, [[Columns(model.Input), Columns(model.Output), OptionsText(model.Find(model.DefaultVersion)!), model.Comment ?? ""]]);
        }
        var versions = reference.All ? model.Versions.OrderBy(v => v.Id).ToList()
            : [model.Find(reference.Version!.Value) ?? throw new SqlException($"Model '{reference.Name}' has no version {reference.Version}", statement.Position)];
        var vschema = new Schema(new[] { "VersionId", "IsDefaultVersion", "Inputs", "Outputs", "Options", "Comment" }
            .Select(n => new Column(n, n == "VersionId" ? SqlType.Int : n == "IsDefaultVersion" ? SqlType.Boolean : SqlType.String)).ToList());
        return new TableResult(statement, vschema, versions.Select(v => new object?[]
            { v.Id, v.Id == model.DefaultVersion, Columns(model.Input), Columns(model.Output), OptionsText(v), model.Comment ?? "" }).ToList());
    }

    public static StatementResult ShowCreate(RunnelEngine engine, ShowCreateStatement statement)
    {
        var reference = ModelReference.Parse(CatalogNames.ObjectName(statement.Name, statement.Position));
        var model = engine.Models.GetModel(reference.Name) ?? throw new SqlException($"Model '{reference.Name}' does not exist.", statement.Position);
        var v = model.Find(reference.Version ?? model.DefaultVersion) ?? throw new SqlException($"Model '{reference.Name}' has no version {reference.Version}", statement.Position);
        var sb = new StringBuilder();
        sb.Append($"CREATE MODEL `{CatalogNames.DefaultCatalog}`.`{CatalogNames.DefaultDatabase}`.`{reference.Name}`\n");
        sb.Append("INPUT ").Append(Columns(model.Input)).Append('\n');
        sb.Append("OUTPUT ").Append(Columns(model.Output)).Append('\n');
        if (model.Comment is not null) sb.Append("COMMENT '").Append(model.Comment.Replace("'", "''", StringComparison.Ordinal)).Append("'\n");
        sb.Append("WITH (\n").Append(string.Join(",\n", Shown(v).Select(kv => $"  '{kv.Key}' = '{kv.Value.Replace("'", "''", StringComparison.Ordinal)}'"))).Append("\n)");
        return new MessageResult(statement, sb.ToString());
    }
}
