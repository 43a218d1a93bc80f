namespace SkyServe.Controller.Hosting;

/// <summary>Finds the config/ folder (catalog, zone file) of a checkout: from the program's folder or the working directory upwards.</summary>
public static class ConfigLocator
{
    public static string Find(string? configured)
    {
        if (configured is not null)
            return Directory.Exists(Path.Combine(configured, "catalog"))
                ? Path.GetFullPath(configured)
                : throw new DirectoryNotFoundException($"{configured} has no catalog/ folder");
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "config", "catalog", "local.yaml")))
                    return Path.Combine(dir.FullName, "config");
        throw new DirectoryNotFoundException("the config/ folder (catalog and local-zones.yaml) was not found; pass --config-dir");
    }
}
