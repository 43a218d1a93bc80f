using SkyServe.Core.Catalog;
using SkyServe.Providers.Local;
using SkyServe.Testing;

namespace SkyServe.Providers.Tests;

/// <summary>Builds Local providers over the shipped local catalog, in a throwaway state directory.</summary>
public static class LocalRuntime
{
    public static readonly CloudCatalog Catalog = CatalogLoader.LoadDirectory(Path.Combine(RepoPaths.Config, "catalog")).Local;

    public static LocalMarket Market(params (string Infra, ISpotCapacity Capacity)[] zones) =>
        LocalZonesLoader.BuildMarket(zones, Catalog);

    public static LocalProviderOptions Options(string stateDirectory) => new()
    {
        StateDirectory = stateDirectory,
        ProvisioningDelay = TimeSpan.Zero,
        MarketInterval = TimeSpan.Zero,
        NoticeLead = TimeSpan.FromSeconds(30),
        GracefulStopTimeout = TimeSpan.FromSeconds(10),
    };

    public static OfferingKey Cpu(string infra, bool spot)
    {
        var parts = infra.Split('/');
        return new OfferingKey(parts[0], parts[1], parts[2], "local-cpu", spot);
    }
}
