using System.Collections.Immutable;
using System.Globalization;
using SkyServe.Core.Catalog;
using SkyServe.Core.Spec;

namespace SkyServe.Core.Placement;

/// <summary>
/// Which catalog offerings a spec's <c>resources:</c> can run on: its accelerator candidates, locations,
/// instance type, cpus and memory, on the market it asks for. Cloud <c>local</c> means any of the
/// catalog's clouds, for the local runtime whose simulated clouds stand in for real ones.
/// </summary>
public static class ResourceResolver
{
    public static OfferingSearchResult Resolve(ResourcesSpec resources, CloudCatalog catalog)
    {
        if (resources.Entries.Count > 0 && !OnlyLocationsDiffer(resources))
            return ResolveEntries(resources, catalog);
        return ResolveOne(resources, catalog);
    }

    /// <summary>
    /// any_of/ordered entries with their own accelerators or machine keys: each entry resolved on its own, the
    /// offerings together, cheapest first (the same order one search over all locations gives).
    /// </summary>
    private static OfferingSearchResult ResolveEntries(ResourcesSpec resources, CloudCatalog catalog)
    {
        var results = resources.Entries.Select(entry => ResolveOne(entry, catalog)).ToList();
        var offerings = results.Where(r => r.Found).SelectMany(r => r.Offerings).Distinct().ToList();
        if (offerings.Count == 0)
            return new OfferingSearchResult([], string.Join("; ", results.Select(r => r.Error).Distinct()));
        offerings.Sort(OfferingOrder.Cheapest(resources.UseSpot));
        return new OfferingSearchResult([.. offerings], null);
    }

    /// <summary>True when the entries are the top level at different locations: one search over all of them.</summary>
    private static bool OnlyLocationsDiffer(ResourcesSpec resources) =>
        resources.Entries.All(entry => entry.Locations.Count == 1
            && entry.Accelerators.SequenceEqual(resources.Accelerators)
            && entry.UseSpot == resources.UseSpot
            && entry.InstanceType == resources.InstanceType
            && entry.Cpus == resources.Cpus
            && entry.Memory == resources.Memory);

    private static OfferingSearchResult ResolveOne(ResourcesSpec resources, CloudCatalog catalog)
    {
        var locations = resources.Locations
            .Where(l => l.Cloud != SupportedClouds.Local)
            .Select(l => new LocationFilter(l.Cloud, l.Region, l.Zone)).ToList();
        var candidates = resources.Accelerators.Select(a => new AcceleratorRequest(a.Name, a.Count)).ToList();
        // As SkyPilot: an instance type named without accelerators brings its own (g4dn.xlarge is a T4 machine).
        if (candidates.Count == 0 && resources.InstanceType is { } type
            && catalog.Offerings.FirstOrDefault(o => string.Equals(o.InstanceType, type, StringComparison.OrdinalIgnoreCase)) is { AcceleratorName: { } own } typed)
            candidates.Add(new AcceleratorRequest(own, typed.AcceleratorCount));
        var found = catalog.Find(candidates, resources.UseSpot, locations);
        if (!found.Found)
            return found;

        var fitting = found.Offerings.Where(o =>
            (resources.InstanceType is null || string.Equals(o.InstanceType, resources.InstanceType, StringComparison.OrdinalIgnoreCase))
            && Satisfies(o.VCpus, resources.Cpus)
            && Satisfies(o.MemoryGiB, resources.Memory)).ToImmutableArray();
        if (fitting.Length > 0)
            return new OfferingSearchResult(fitting, null);
        return new OfferingSearchResult([],
            $"no offering with {Describe(resources)} matches instance_type {resources.InstanceType ?? "(any)"}, cpus {resources.Cpus ?? "(any)"}, memory {resources.Memory ?? "(any)"}; "
            + $"the candidates were {string.Join(", ", found.Offerings.Select(o => $"{o.InstanceType} ({o.VCpus} vCPUs, {o.MemoryGiB} GiB)").Distinct().Take(8))}");
    }

    /// <summary>
    /// The machine settings a replica placed on <paramref name="offering"/> launches with: the disk and image of the first
    /// any_of/ordered entry that admits the offering (as the resolver admitted it), the top level's without entries or
    /// when none does (an offering unknown to the catalog), and the top level's labels.
    /// </summary>
    public static MachineSettings MachineFor(ResourcesSpec resources, InstanceOffering? offering)
    {
        var entry = offering is null ? null : resources.Entries.FirstOrDefault(e => Admits(e, offering));
        return MachineSettings.Of(entry ?? resources, resources.Labels);
    }

    /// <summary>Whether <see cref="ResolveOne"/> for <paramref name="entry"/> could have found <paramref name="offering"/> (the market aside).</summary>
    private static bool Admits(ResourcesSpec entry, InstanceOffering offering)
    {
        var locations = entry.Locations.Where(l => l.Cloud != SupportedClouds.Local).Select(l => new LocationFilter(l.Cloud, l.Region, l.Zone)).ToList();
        var accelerators = entry.Accelerators.Select(a => new AcceleratorRequest(a.Name, a.Count)).ToList();
        return CloudCatalog.InLocations(offering, locations)
            && (accelerators.Count == 0 ? offering.IsCpuOnly : accelerators.Exists(a => CloudCatalog.Matches(offering, a)))
            && (entry.InstanceType is null || string.Equals(offering.InstanceType, entry.InstanceType, StringComparison.OrdinalIgnoreCase))
            && Satisfies(offering.VCpus, entry.Cpus)
            && Satisfies(offering.MemoryGiB, entry.Memory);
    }

    /// <summary>SkyPilot's rule: "8" asks for exactly 8, "8+" for at least 8.</summary>
    private static bool Satisfies(double actual, string? wanted)
    {
        if (wanted is null)
            return true;
        var atLeast = wanted.EndsWith('+');
        var number = double.Parse(wanted.TrimEnd('+'), CultureInfo.InvariantCulture);
        return atLeast ? actual >= number : Math.Abs(actual - number) < 1e-9;
    }

    private static string Describe(ResourcesSpec resources) =>
        resources.Accelerators.Count == 0 ? "no accelerator" : string.Join(" or ", resources.Accelerators);
}
