using System.Xml.Linq;

namespace Runnel.Engine.Tests;

/// <summary>Keeps the dependency direction of docs/ARCHITECTURE: Core ← Sql ← Catalog ← Execution ← Engine ← Cli;
/// connectors depend on Core only; Sql never references Execution or a connector.</summary>
public class ArchitectureTests
{
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Runnel.Core"] = [],
        ["Runnel.Sql"] = ["Runnel.Core"],
        ["Runnel.Catalog"] = ["Runnel.Sql"],
        ["Runnel.Connectors"] = ["Runnel.Core"],
        ["Runnel.Connectors.Kafka"] = ["Runnel.Connectors"],
        ["Runnel.Execution"] = ["Runnel.Sql", "Runnel.Connectors"],
        ["Runnel.Models"] = ["Runnel.Core"],
        ["Runnel.Engine"] = ["Runnel.Catalog", "Runnel.Execution", "Runnel.Models", "Runnel.Connectors.Kafka"],
        ["Runnel.Cli"] = ["Runnel.Engine"],
    };

    [Fact]
    public void ProjectReferences_FollowTheLayering()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Runnel.slnx"))) dir = dir.Parent;
        Assert.NotNull(dir);
        var projects = Directory.GetFiles(Path.Combine(dir.FullName, "src"), "*.csproj", SearchOption.AllDirectories);
        Assert.Equal(Allowed.Count, projects.Length);
        foreach (var project in projects)
        {
            var name = Path.GetFileNameWithoutExtension(project);
            var refs = XDocument.Load(project).Descendants("ProjectReference")
                .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/'))).ToList();
            Assert.True(Allowed.ContainsKey(name), $"Unknown project {name}: add it to the layering table");
            Assert.All(refs, r => Assert.Contains(r, Allowed[name]));
        }
    }
}
