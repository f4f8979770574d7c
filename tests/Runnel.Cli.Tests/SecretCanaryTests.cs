using System.Text;
using Runnel.Engine;
using Runnel.TestSupport;

namespace Runnel.Cli.Tests;

/// <summary>A unique API key given to CREATE CONNECTION (and one through the legacy session form) must never appear
/// in any output, error message, or the bytes of the catalog files, while still reaching the provider.</summary>
public sealed class SecretCanaryTests
{
    [Fact]
    public async Task Canary_NeverLeaks_ButReachesTheProvider()
    {
        var canary = "sk-canary-" + Guid.NewGuid().ToString("N");
        var legacyCanary = "sk-legacy-" + Guid.NewGuid().ToString("N");
        await using var server = await FakeOpenAIServer.StartAsync(canary);
        server.Reply = text => text.Contains("love", StringComparison.Ordinal) ? "POSITIVE" : "NEGATIVE";
        var dir = Paths.NewTempDirectory();
        const string Placeholder = "{{sessionconfig/sql.secrets.key}}";
        var script = $"""
            SET 'execution.runtime-mode' = 'batch';
            CREATE CONNECTION openai-conn WITH ('type' = 'openai', 'endpoint' = '{server.ChatUrl}', 'api-key' = '{canary}');
            DESCRIBE CONNECTION openai-conn;
            CREATE MODEL sentiment INPUT (text STRING) OUTPUT (sentiment STRING)
              WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-conn',
                    'openai.system_prompt' = 'Answer POSITIVE or NEGATIVE.', 'openai.params.temperature' = '0');
            DESCRIBE MODEL `sentiment$all`;
            SHOW CREATE MODEL sentiment;
            SELECT t, sentiment FROM (VALUES ('I love it'), ('I hate it')) AS v (t), LATERAL TABLE(ML_PREDICT('sentiment', t)) ORDER BY t;
            SET 'sql.secrets.key' = '{legacyCanary}';
            SET;
            CREATE MODEL legacy WITH ('provider' = 'openai', 'task' = 'classification', 'openai.endpoint' = '{server.ChatUrl}', 'openai.api_key' = '{Placeholder}');
            SHOW CREATE MODEL legacy;
            SELECT * FROM (VALUES ('x')) AS v (t), LATERAL TABLE(ML_PREDICT('legacy', t, MAP['retry_count', 0]));
            """;
        var output = new StringWriter();
        int exit;
        await using (var engine = new RunnelEngine(new RunnelEngineOptions { CatalogPath = Path.Combine(dir, "catalog.db"), PrintOutput = output }))
            exit = await CliApp.RunScriptAsync(engine, script, output, output);
        var text = output.ToString();
        // The model answered through the connection's key...
        Assert.True(text.Contains("| I love it |  POSITIVE |", StringComparison.Ordinal), text);
        Assert.Contains("Bearer " + canary, server.AuthorizationHeaders);
        // ...and the legacy key reached the server too (it rejects it with the recorded 401, which fails the last statement).
        Assert.Contains("Bearer " + legacyCanary, server.AuthorizationHeaders);
        Assert.Equal(1, exit);
        Assert.Contains("invalid_api_key", text, StringComparison.Ordinal);
        foreach (var secret in new[] { canary, legacyCanary })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            foreach (var file in Directory.GetFiles(dir, "*", SearchOption.AllDirectories))
            {
                var bytes = await File.ReadAllBytesAsync(file);
                Assert.False(Encoding.UTF8.GetString(bytes).Contains(secret, StringComparison.Ordinal), $"{file} holds the secret");
            }
        }
        Assert.Contains("******", text, StringComparison.Ordinal);
    }
}
