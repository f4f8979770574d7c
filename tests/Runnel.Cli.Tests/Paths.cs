namespace Runnel.Cli.Tests;

/// <summary>Locations in the repository, found from the test assembly's directory.</summary>
internal static class Paths
{
    public static string RepoRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Runnel.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Runnel.slnx not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The CLI as built in its own output directory (same configuration and framework as these tests): the
    /// copy in this test's directory would resolve packages the ASP.NET Core shared framework of the test fakes also
    /// ships (Microsoft.Extensions.Caching.Memory) against a framework runnel itself does not load.</summary>
    public static string RunnelDll { get; } = Path.Combine(RepoRoot, "src", "Runnel.Cli", "bin",
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name,
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name, "runnel.dll");

    public static string GoldenDirectory => Path.Combine(RepoRoot, "tests", "sql");
    public static string DataDirectory => Path.Combine(GoldenDirectory, "data");

    public static string NewTempDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "runnel-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
