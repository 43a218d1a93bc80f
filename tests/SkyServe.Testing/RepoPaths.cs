namespace SkyServe.Testing;

/// <summary>Paths of the checkout the tests run from.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Config => Path.Combine(Root, "config");
    public static string Examples => Path.Combine(Root, "config", "examples");

    /// <summary>../shared/traces beside the checkout (data that is never copied into the repository).</summary>
    public static string SharedTraces => Path.GetFullPath(Path.Combine(Root, "..", "shared", "traces"));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SkyServe.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"SkyServe.sln not found above {AppContext.BaseDirectory}");
    }
}
