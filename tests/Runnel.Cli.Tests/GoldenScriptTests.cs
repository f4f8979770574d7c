using System.Text.RegularExpressions;
using Runnel.Engine;

namespace Runnel.Cli.Tests;

/// <summary>
/// SQL behaviour specified by files: every <c>tests/sql/*.sql</c> runs in a fresh catalog through the CLI's script
/// runner, and its output (what a user sees, errors included) must equal <c>*.out</c> beside it. Scripts use
/// <c>${DATA}</c> for <c>tests/sql/data</c> and <c>${TMP}</c> for a scratch directory. Regenerate every expected
/// file with <c>RUNNEL_REGENERATE_GOLDEN=1 dotnet test tests/Runnel.Cli.Tests --filter GoldenScriptTests</c>, then
/// review the diff. Files named <c>error_*.sql</c> must fail.
/// </summary>
public class GoldenScriptTests
{
    public static TheoryData<string> Scripts()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(Paths.GoldenDirectory, "*.sql").Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task Script_Output_MatchesExpected(string name)
    {
        var scriptPath = Path.Combine(Paths.GoldenDirectory, name);
        var tmp = Paths.NewTempDirectory();
        var script = (await File.ReadAllTextAsync(scriptPath)).Replace("${DATA}", Paths.DataDirectory, StringComparison.Ordinal).Replace("${TMP}", tmp, StringComparison.Ordinal);
        var output = new StringWriter();
        int exit;
        await using (var engine = new RunnelEngine(new RunnelEngineOptions { CatalogPath = Path.Combine(tmp, "catalog.db"), PrintOutput = output }))
            exit = await CliApp.RunScriptAsync(engine, script, output, output);
        var actual = Normalize(output.ToString(), tmp);
        actual += $"-- exit code: {exit}\n";
        var expectedPath = Path.ChangeExtension(scriptPath, ".out");
        if (Environment.GetEnvironmentVariable("RUNNEL_REGENERATE_GOLDEN") == "1")
        {
            await File.WriteAllTextAsync(expectedPath, actual);
            return;
        }
        Assert.True(File.Exists(expectedPath), $"Missing {expectedPath}; run with RUNNEL_REGENERATE_GOLDEN=1 to create it.");
        Assert.Equal((await File.ReadAllTextAsync(expectedPath)).ReplaceLineEndings("\n"), actual);
        if (name.StartsWith("error_", StringComparison.Ordinal)) Assert.NotEqual(0, exit);
        else Assert.Equal(0, exit);
    }

    internal static string Normalize(string text, string tmp)
    {
        text = text.ReplaceLineEndings("\n").Replace(tmp, "${TMP}", StringComparison.Ordinal).Replace(Paths.DataDirectory, "${DATA}", StringComparison.Ordinal);
        text = Regex.Replace(text, "[0-9a-f]{32}", "<job-id>");
        text = Regex.Replace(text, @" in [0-9]+\.[0-9] s\.", " in <t> s.");
        text = Regex.Replace(text, @"part-[0-9a-f-]{36}-", "part-<uuid>-");
        // Progress lines appear only for slow runs.
        text = Regex.Replace(text, @"^\[INFO\] (Job|Query)[^\n]*rows/s[^\n]*\n", "", RegexOptions.Multiline);
        return text;
    }
}
