using System.Collections.Frozen;
using System.Collections.Immutable;

namespace SkyServe.Core.Catalog;

/// <summary>
/// An immutable set of offerings with the lookups placement needs. Every lookup returns offerings cheapest
/// first (on-demand price unless spot is asked for); names compare case-insensitively.
/// </summary>
public sealed class CloudCatalog
{
    public static readonly CloudCatalog Empty = new([]);

    private readonly FrozenDictionary<string, ImmutableArray<InstanceOffering>> _byCloud;
    private readonly FrozenDictionary<string, ImmutableArray<InstanceOffering>> _byRegion;
    private readonly FrozenDictionary<string, ImmutableArray<InstanceOffering>> _byZone;
    private readonly FrozenDictionary<string, ImmutableArray<InstanceOffering>> _byAccelerator;
    private readonly FrozenDictionary<string, ImmutableArray<InstanceOffering>> _byInstanceType;

    public CloudCatalog(IEnumerable<InstanceOffering> offerings)
    {
        ArgumentNullException.ThrowIfNull(offerings);
        Offerings = [.. offerings.Order(Comparer<InstanceOffering>.Create(OfferingOrder.ByLocation))];
        _byCloud = Index(o => o.Cloud);
        _byRegion = Index(o => Key(o.Cloud, o.Region));
        _byZone = Index(o => Key(o.Cloud, o.Region, o.Zone));
        _byAccelerator = Index(o => o.AcceleratorName ?? "");
        _byInstanceType = Index(o => Key(o.Cloud, o.InstanceType));
        Clouds = [.. Offerings.Select(o => o.Cloud).Distinct(StringComparer.OrdinalIgnoreCase)];
        AcceleratorNames = [.. Offerings.Where(o => o.AcceleratorName is not null).Select(o => o.AcceleratorName!)
            .Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal)];
    }

    /// <summary>All offerings, ordered by cloud, region, zone and instance type.</summary>
    public ImmutableArray<InstanceOffering> Offerings { get; }

    public ImmutableArray<string> Clouds { get; }

    /// <summary>The accelerator names present, in SkyPilot spelling.</summary>
    public ImmutableArray<string> AcceleratorNames { get; }

    public ImmutableArray<string> Regions(string cloud) =>
        [.. InCloud(cloud).Select(o => o.Region).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal)];

    public ImmutableArray<string> Zones(string cloud, string region) =>
        [.. InRegion(cloud, region).Select(o => o.Zone).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal)];

    public ImmutableArray<InstanceOffering> InCloud(string cloud, bool useSpot = false) => Lookup(_byCloud, cloud, useSpot);

    public ImmutableArray<InstanceOffering> InRegion(string cloud, string region, bool useSpot = false) =>
        Lookup(_byRegion, Key(cloud, region), useSpot);

    public ImmutableArray<InstanceOffering> InZone(string cloud, string region, string zone, bool useSpot = false) =>
        Lookup(_byZone, Key(cloud, region, zone), useSpot);

    /// <summary>Offerings with the named accelerator (any count), e.g. <c>a100-80gb</c> finds A100-80GB.</summary>
    public ImmutableArray<InstanceOffering> WithAccelerator(string acceleratorName, bool useSpot = false) =>
        Lookup(_byAccelerator, acceleratorName, useSpot);

    /// <summary>Every zone that offers the instance type; <paramref name="instanceType"/> is the cloud's own name.</summary>
    public ImmutableArray<InstanceOffering> OfInstanceType(string cloud, string instanceType, bool useSpot = false) =>
        Lookup(_byInstanceType, Key(cloud, instanceType), useSpot);

    /// <summary>
    /// The offerings that have one of the accelerator candidates (exact count, as SkyPilot matches) in one of
    /// the locations (all when none are given), sold as spot when <paramref name="useSpot"/>, cheapest first.
    /// No candidates asks for CPU-only types. When nothing matches, the result says what the catalog has instead.
    /// </summary>
    public OfferingSearchResult Find(
        IReadOnlyCollection<AcceleratorRequest> candidates,
        bool useSpot,
        IReadOnlyCollection<LocationFilter>? locations = null)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        locations ??= [];
        foreach (var candidate in candidates)
        {
            if (string.IsNullOrWhiteSpace(candidate.Name) || candidate.Count < 1)
                return OfferingSearchResult.NotFound($"'{candidate}' is not a valid accelerator request: a name and a count of at least 1 are needed");
        }

        var matches = Offerings
            .Where(o => candidates.Count == 0 ? o.IsCpuOnly : candidates.Any(c => Matches(o, c)))
            .Where(o => InLocations(o, locations))
            .Where(o => !useSpot || o.HasSpot)
            .ToList();
        if (matches.Count == 0)
            return OfferingSearchResult.NotFound(NoMatchExplanation.Build(this, candidates, useSpot, locations));
        matches.Sort(OfferingOrder.Cheapest(useSpot));
        return OfferingSearchResult.Of([.. matches]);
    }

    internal static bool Matches(InstanceOffering offering, AcceleratorRequest candidate) =>
        offering.AcceleratorCount == candidate.Count
        && string.Equals(offering.AcceleratorName, candidate.Name.Trim(), StringComparison.OrdinalIgnoreCase);

    internal static bool InLocations(InstanceOffering offering, IReadOnlyCollection<LocationFilter> locations) =>
        locations.Count == 0 || locations.Any(l => l.Matches(offering));

    private static ImmutableArray<InstanceOffering> Lookup(
        FrozenDictionary<string, ImmutableArray<InstanceOffering>> index, string key, bool useSpot)
    {
        if (!index.TryGetValue(key, out var found))
            return [];
        var list = useSpot ? found.Where(o => o.HasSpot).ToList() : [.. found];
        list.Sort(OfferingOrder.Cheapest(useSpot));
        return [.. list];
    }

    private FrozenDictionary<string, ImmutableArray<InstanceOffering>> Index(Func<InstanceOffering, string> key) =>
        Offerings.GroupBy(key, StringComparer.OrdinalIgnoreCase)
            .ToFrozenDictionary(g => g.Key, g => g.ToImmutableArray(), StringComparer.OrdinalIgnoreCase);

    // A separator no cloud, region or zone name contains keeps composite keys unambiguous.
    private static string Key(params string[] parts) => string.Join('\u001f', parts);
}
