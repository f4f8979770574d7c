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

    public static string GoldenDirectory => Path.Combine(RepoRoot, "tests", "sql");
    public static string DataDirectory => Path.Combine(GoldenDirectory, "data");

    public static string NewTempDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "runnel-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
