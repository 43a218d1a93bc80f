using System.Collections.Immutable;

namespace SkyServe.Core.Catalog.Parsing;

/// <summary>A type's prices in one region; spot is the same in every zone that sells it (all when SpotZones is empty).</summary>
internal sealed record RegionPrices(
    string Region,
    ImmutableArray<string> Zones,
    decimal OnDemand,
    decimal? Spot,
    ImmutableArray<string> SpotZones)
{
    public decimal? SpotIn(string zone) =>
        SpotZones.IsEmpty || SpotZones.Contains(zone, StringComparer.OrdinalIgnoreCase) ? Spot : null;
}
