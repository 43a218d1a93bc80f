using System.Collections.Immutable;

namespace SkyServe.Core.Catalog.Parsing;

/// <summary>One instance type of a cloud file as written: its size once, and its prices per region.</summary>
internal sealed record CatalogEntry(
    string Cloud,
    string InstanceType,
    string? AcceleratorName,
    int AcceleratorCount,
    double GpuMemoryGiB,
    double VCpus,
    double MemoryGiB,
    bool AttachedAccelerator,
    ImmutableArray<RegionPrices> Regions)
{
    public string Key => $"{Cloud}/{InstanceType}";

    public RegionPrices? InRegion(string region) =>
        Regions.FirstOrDefault(r => string.Equals(r.Region, region, StringComparison.OrdinalIgnoreCase));

    public IEnumerable<InstanceOffering> ToOfferings() =>
        Regions.SelectMany(region => region.Zones.Select(zone => Offering(region.Region, zone, region.OnDemand, region.SpotIn(zone))));

    /// <summary>This entry's size and accelerators at the given place and prices.</summary>
    public InstanceOffering Offering(string region, string zone, decimal onDemand, decimal? spot) =>
        new(Cloud, region, zone, InstanceType, AcceleratorName, AcceleratorCount, GpuMemoryGiB, VCpus, MemoryGiB, onDemand, spot)
        {
            AttachedAccelerator = AttachedAccelerator,
        };
}
