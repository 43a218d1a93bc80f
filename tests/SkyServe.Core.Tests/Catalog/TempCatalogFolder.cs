namespace SkyServe.Core.Tests.Catalog;

/// <summary>A throw-away catalog folder for tests that need real files.</summary>
internal sealed class TempCatalogFolder : IDisposable
{
    public TempCatalogFolder(params (string Name, string Text)[] files)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "skyserve-catalog-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
        foreach (var (name, text) in files)
            File.WriteAllText(System.IO.Path.Combine(Path, name), text);
    }

    public string Path { get; }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
