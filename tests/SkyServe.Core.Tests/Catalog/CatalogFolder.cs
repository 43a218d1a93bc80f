namespace SkyServe.Core.Tests.Catalog;

/// <summary>The shipped catalog folder, found from the test binaries by walking up to SkyServe.sln.</summary>
internal static class CatalogFolder
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "SkyServe.sln")))
                return System.IO.Path.Combine(dir.FullName, "config", "catalog");
        }
        throw new InvalidOperationException($"SkyServe.sln not found above {AppContext.BaseDirectory}");
    }
}
