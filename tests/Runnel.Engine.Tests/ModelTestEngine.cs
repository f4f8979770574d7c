using Runnel.TestSupport;

namespace Runnel.Engine.Tests;

/// <summary>An engine in batch mode with a connection <c>c</c> to a loopback OpenAI-compatible server and a text
/// generation model on it, as the model runtime tests need.</summary>
internal static class ModelTestEngine
{
    /// <summary>Creates the engine and <c>CREATE MODEL {model} INPUT (text STRING) OUTPUT (answer STRING)</c> with
    /// <paramref name="modelOptions"/> (", 'key' = 'value'..") appended to its options.</summary>
    public static async Task<RunnelEngine> CreateAsync(LoopbackServer server, string modelOptions = "", string model = "m")
    {
        var engine = Batch(Directory.CreateTempSubdirectory("runnel-models-").FullName);
        await engine.ExecuteAsync($"CREATE CONNECTION c WITH ('type' = 'openai', 'endpoint' = '{server.BaseUrl}/v1/chat/completions', 'api-key' = 'k')");
        await AddModelAsync(engine, model, modelOptions);
        return engine;
    }

    /// <summary>Creates another model on connection <c>c</c>.</summary>
    public static Task AddModelAsync(RunnelEngine engine, string model, string modelOptions = "") =>
        engine.ExecuteAsync($"CREATE MODEL {model} INPUT (text STRING) OUTPUT (answer STRING) WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'c'{modelOptions})");

    /// <summary>An engine in batch mode with its catalog in <paramref name="dir"/>.</summary>
    public static RunnelEngine Batch(string dir) => new(new RunnelEngineOptions
    {
        CatalogPath = Path.Combine(dir, "c.db"),
        Configuration = new Dictionary<string, string> { ["execution.runtime-mode"] = "batch" },
    });

    /// <summary>The rows of a query, as their changelog strings (<c>+I[..]</c>).</summary>
    public static async Task<List<string>> RowsAsync(RunnelEngine engine, string sql)
    {
        var result = (QueryResult)await engine.ExecuteAsync(sql);
        var rows = new List<string>();
        await foreach (var row in result.ReadAsync()) rows.Add(row.ToString());
        return rows;
    }
}
