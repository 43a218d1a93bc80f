namespace SkyServe.Core.Tests.Spec;

/// <summary>Finds the checkout's root (the folder holding SkyServe.sln) from the test binaries' folder.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "SkyServe.sln")))
                return directory.FullName;
        }
        throw new InvalidOperationException("SkyServe.sln not found above " + AppContext.BaseDirectory);
    }
}
