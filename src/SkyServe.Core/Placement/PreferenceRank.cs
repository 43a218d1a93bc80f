using SkyServe.Core.Catalog;
using SkyServe.Core.Spec;

namespace SkyServe.Core.Placement;

/// <summary>
/// Where an offering stands in the spec's order of preference, as SkyPilot tries <c>ordered:</c> entries and a list of
/// <c>accelerators</c>: 0 for the first entry (or accelerator), 1 for the next, and so on. Without an order every
/// offering ranks 0, and placement is by price alone. Placement takes the best rank it can launch before any other.
/// </summary>
public static class PreferenceRank
{
    public static int Of(ResourcesSpec resources, InstanceOffering offering)
    {
        if (resources.Entries.Count > 0)
        {
            if (!resources.LocationsOrdered)
                return 0;
            var index = IndexOf(resources.Entries, entry => Matches(entry, offering));
            return index < 0 ? resources.Entries.Count : index;
        }
        if (!resources.AcceleratorsOrdered)
            return 0;
        var accelerator = IndexOf(resources.Accelerators, a => MatchesAccelerator(a, offering));
        return accelerator < 0 ? resources.Accelerators.Count : accelerator;
    }

    /// <summary>An entry names at most one location and one accelerator (the reader's rule); either may be absent.</summary>
    private static bool Matches(ResourcesSpec entry, InstanceOffering offering) =>
        (entry.Locations.Count == 0 || entry.Locations.Any(location => InLocation(location, offering)))
        && (entry.Accelerators.Count == 0 ? offering.IsCpuOnly : entry.Accelerators.Any(a => MatchesAccelerator(a, offering)))
        && (entry.InstanceType is null || string.Equals(entry.InstanceType, offering.InstanceType, StringComparison.OrdinalIgnoreCase));

    /// <summary>Cloud <c>local</c> stands for every cloud of the catalog, as in <see cref="ResourceResolver"/>.</summary>
    private static bool InLocation(CloudLocation location, InstanceOffering offering) =>
        location.Cloud == SupportedClouds.Local || new LocationFilter(location.Cloud, location.Region, location.Zone).Matches(offering);

    private static bool MatchesAccelerator(AcceleratorCandidate accelerator, InstanceOffering offering) =>
        CloudCatalog.Matches(offering, new AcceleratorRequest(accelerator.Name, accelerator.Count));

    private static int IndexOf<T>(IReadOnlyList<T> items, Func<T, bool> match)
    {
        for (var i = 0; i < items.Count; i++)
            if (match(items[i]))
                return i;
        return -1;
    }
}
