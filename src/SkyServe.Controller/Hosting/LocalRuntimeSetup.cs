using SkyServe.Core.Catalog;
using SkyServe.Providers.Local;

namespace SkyServe.Controller.Hosting;

/// <summary>
/// Starts the embedded default cloud: the local runtime with the zones of the zone file, its state in
/// <c>&lt;data-dir&gt;/local</c>. Controllers given the same data directory (with PostgreSQL: SQLite serves one controller)
/// share that runtime: each sees and manages every machine, and one of them at a time runs its market.
/// </summary>
public static class LocalRuntimeSetup
{
    public static async Task<LocalCloudProvider> StartAsync(ControllerOptions options, ILogger log)
    {
        var config = ConfigLocator.Find(options.ConfigDirectory);
        var zonesPath = Path.GetFullPath(options.LocalZonesFile ?? Path.Combine(config, "local-zones.yaml"));
        var zones = LocalZonesLoader.Read(zonesPath);
        var catalog = CatalogLoader.LoadDirectory(Path.Combine(config, "catalog"));
        var market = LocalZonesLoader.BuildMarket(zones, Path.GetDirectoryName(zonesPath)!, catalog.Local);
        var providerOptions = LocalZonesLoader.ApplyTo(zones, new LocalProviderOptions
        {
            StateDirectory = Path.Combine(options.DataDirectory, "local"),
            ModelRoot = Path.GetDirectoryName(Path.GetFullPath(config).TrimEnd(Path.DirectorySeparatorChar)), // beside config/: models/...
        });
        log.LocalRuntimeStarting(market.Zones.Count, zonesPath, providerOptions.TimeCompression);
        return await LocalCloudProvider.StartAsync(providerOptions, market, log: log);
    }
}
