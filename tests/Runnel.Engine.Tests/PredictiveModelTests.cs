using System.Text;
using System.Text.Json.Nodes;
using Runnel.TestSupport;

namespace Runnel.Engine.Tests;

/// <summary>Predictive models declared in SQL — several typed INPUT and OUTPUT columns — called through ML_PREDICT on
/// loopback SageMaker and Azure ML endpoints: the connection's secrets reach the provider (SigV4 verified
/// independently), rows are batched where the format lists instances, and a value that does not fit its OUTPUT type is
/// an error naming column, type and value (or, with 'ignore', a counted row with NULL outputs).</summary>
public sealed class PredictiveModelTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    private static RunnelEngine Engine() => ModelTestEngine.Batch(Directory.CreateTempSubdirectory("runnel-predictive-").FullName);

    private static Task<List<string>> RowsAsync(RunnelEngine engine, string sql) => ModelTestEngine.RowsAsync(engine, sql);

    [Fact]
    public async Task SageMakerCsvModel_FromSql_ScoresEveryRow()
    {
        // A CSV regression endpoint (answer shape from the InvokeEndpoint reference): score = age / 100 + bmi / 1000.
        await using var server = await LoopbackServer.StartAsync(r =>
        {
            if (SigV4Verifier.Check(r, Secret, "sagemaker") is { } problem) return (403, JsonValue.Create(problem), new Dictionary<string, string>());
            var fields = Encoding.UTF8.GetString(r.RawBody).Trim().Split(',');
            var score = int.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture) / 100.0 + double.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) / 1000;
            return (200, JsonValue.Create(score.ToString(System.Globalization.CultureInfo.InvariantCulture)), new Dictionary<string, string> { ["content-type"] = "text/csv" });
        });
        await using var engine = Engine();
        await engine.ExecuteAsync($"CREATE CONNECTION sm WITH ('type' = 'sagemaker', 'endpoint' = '{server.BaseUrl}/endpoints/diabetes/invocations', 'aws_access_key_id' = 'AKIDEXAMPLE', 'aws_secret_access_key' = '{Secret}')");
        await engine.ExecuteAsync("CREATE MODEL risk INPUT (age INT, bmi DOUBLE, sex STRING) OUTPUT (score DOUBLE) WITH ('provider' = 'sagemaker', 'task' = 'regression', 'sagemaker.connection' = 'sm')");

        var rows = await RowsAsync(engine, "SELECT id, score FROM (VALUES (1, 52, 27.5, 'F'), (2, 30, 20.0, 'M')) AS t (id, age, bmi, sex), LATERAL TABLE(ML_PREDICT('risk', age, bmi, sex)) ORDER BY id");

        Assert.Equal(["+I[1, 0.5475]", "+I[2, 0.32]"], rows);
        Assert.Equal(["52,27.5,F\n", "30,20.0,M\n"], server.Requests.Select(r => Encoding.UTF8.GetString(r.RawBody)).Order(StringComparer.Ordinal).Reverse());
    }

    [Fact]
    public async Task AzureMLDataFrameModel_BatchesRows_AndAWrongTypeNamesTheColumn()
    {
        await using var server = await LoopbackServer.StartAsync(r =>
        {
            var data = r.Body!["input_data"]!["data"]!.AsArray();
            // One object per row; the row with bmi 99 gets a probability the model cannot express as a number.
            return (200, new JsonArray(data.Select(row => (JsonNode?)new JsonObject
            {
                ["label"] = row![0]!.GetValue<double>() > 25 ? "high" : "low",
                ["probability"] = row[0]!.GetValue<double>() == 99 ? JsonValue.Create("n/a") : JsonValue.Create(row[0]!.GetValue<double>() / 100),
            }).ToArray()));
        });
        await using var engine = Engine();
        await engine.ExecuteAsync($"CREATE CONNECTION aml WITH ('type' = 'azureml', 'endpoint' = '{server.BaseUrl}/score', 'api-key' = 'k')");
        await engine.ExecuteAsync("CREATE MODEL obesity INPUT (bmi DOUBLE, age INT) OUTPUT (label STRING, probability DOUBLE) WITH ('provider' = 'azureml', 'task' = 'classification', 'azureml.connection' = 'aml', 'azureml.deployment_name' = 'green')");
        var values = string.Join(", ", Enumerable.Range(1, 40).Select(i => $"({i}, {20 + i % 10}.0, {30 + i})"));

        var rows = await RowsAsync(engine, $"SELECT id, label, probability FROM (VALUES {values}) AS t (id, bmi, age), LATERAL TABLE(ML_PREDICT('obesity', bmi, age)) ORDER BY id");

        Assert.Equal(40, rows.Count);
        Assert.Equal("+I[1, low, 0.21]", rows[0]);
        Assert.Equal("+I[6, high, 0.26]", rows[5]);
        Assert.True(server.Requests.Count < 40, $"{server.Requests.Count} requests for 40 rows: the data frame should carry several rows");
        Assert.All(server.Requests, r => Assert.Equal("green", r.Headers["azureml-model-deployment"]));

        var e = await Assert.ThrowsAnyAsync<Exception>(() => RowsAsync(engine, "SELECT label FROM (VALUES (99.0, 40)) AS t (bmi, age), LATERAL TABLE(ML_PREDICT('obesity', bmi, age))"));
        Assert.Contains("OUTPUT column 'probability' DOUBLE cannot hold the value \"n/a\"", e.Message, StringComparison.Ordinal);

        await engine.ExecuteAsync("ALTER MODEL obesity SET ('error-handling-strategy' = 'ignore')");
        var result = (QueryResult)await engine.ExecuteAsync("SELECT bmi, label FROM (VALUES (99.0, 40), (20.0, 30)) AS t (bmi, age), LATERAL TABLE(ML_PREDICT('obesity', bmi, age))");
        var kept = new List<string>();
        await foreach (var row in result.ReadAsync()) kept.Add(row.ToString());
        Assert.Equal(["+I[99.0, NULL]", "+I[20.0, low]"], kept);
        Assert.Equal(1, result.Counters.ModelErrors);
    }

    [Fact]
    public async Task AtMost32Params_AndUnknownFormatsAreRefusedAtCreate()
    {
        await using var engine = Engine();
        await engine.ExecuteAsync("CREATE CONNECTION aml WITH ('type' = 'azureml', 'endpoint' = 'http://127.0.0.1:9/score', 'api-key' = 'k')");
        string Params(int n) => string.Concat(Enumerable.Range(1, n).Select(i => $", 'azureml.params.p{i}' = '{i}'"));
        const string Create = "CREATE MODEL m INPUT (x DOUBLE) OUTPUT (y DOUBLE) WITH ('provider' = 'azureml', 'task' = 'regression', 'azureml.connection' = 'aml', 'azureml.input_format' = 'JSON'";
        var e = await Assert.ThrowsAnyAsync<Exception>(() => engine.ExecuteAsync(Create + Params(33) + ")"));
        Assert.Contains("at most 32", e.Message, StringComparison.Ordinal);
        await engine.ExecuteAsync(Create + Params(32) + ")");
        var format = await Assert.ThrowsAnyAsync<Exception>(() => engine.ExecuteAsync("CREATE MODEL f INPUT (x DOUBLE) OUTPUT (y DOUBLE) WITH ('provider' = 'azureml', 'task' = 'regression', 'azureml.connection' = 'aml', 'azureml.input_format' = 'PARQUET')"));
        Assert.Contains("Unknown input format 'PARQUET'", format.Message, StringComparison.Ordinal);
    }
}
