namespace SkyServe.Core.Spec;

/// <summary>
/// The <c>resources:</c> section: what machine a replica needs and where it may run, with defaults applied.
/// </summary>
public sealed record ResourcesSpec
{
    public static ResourcesSpec Default { get; } = new();

    /// <summary>
    /// The accelerators a replica may use, any one of them (<c>A100:4</c>, <c>{L4: 1, A10G: 1}</c>) or in order
    /// of preference (<c>[L4, A10G:2]</c>, see <see cref="AcceleratorsOrdered"/>). Empty: no accelerator asked for.
    /// </summary>
    public IReadOnlyList<AcceleratorCandidate> Accelerators { get; init; } = [];

    /// <summary>True for the list form, which SkyPilot treats as a preference order.</summary>
    public bool AcceleratorsOrdered { get; init; }

    /// <summary>Every replica is spot (the validator rejects a mix; on-demand fallback is the policy's business).</summary>
    public bool UseSpot { get; init; }

    /// <summary>
    /// Candidate locations, from <c>any_of</c>/<c>ordered</c> merged with the top-level <c>infra</c> or
    /// <c>cloud</c>/<c>region</c>/<c>zone</c>, or just the top-level one. Empty: anywhere the controller can launch.
    /// </summary>
    public IReadOnlyList<CloudLocation> Locations { get; init; } = [];

    /// <summary>True when the locations came from <c>ordered:</c> (first is preferred).</summary>
    public bool LocationsOrdered { get; init; }

    /// <summary>
    /// The <c>any_of</c>/<c>ordered</c> entries, each laid over the top-level keys as SkyPilot overrides resources
    /// with each entry: at most one location each, and its own accelerators, instance type, cpus, memory, disk and
    /// image where it gives them. Empty without any_of/ordered. <see cref="Accelerators"/> and <see cref="Locations"/>
    /// are then the union over the entries.
    /// </summary>
    public IReadOnlyList<ResourcesSpec> Entries { get; init; } = [];

    /// <summary>
    /// Every (location, accelerator) pair a replica may take, entries expanded by their accelerators as SkyPilot
    /// expands a set of accelerators into candidates: a null location is anywhere, a null accelerator CPU only.
    /// </summary>
    public IReadOnlyList<ResourceCandidate> Candidates()
    {
        IEnumerable<ResourcesSpec> entries = Entries.Count > 0 ? Entries : [this];
        return [.. entries.SelectMany(entry =>
        {
            var locations = entry.Locations.Count == 0 ? [(CloudLocation?)null] : entry.Locations.Cast<CloudLocation?>();
            var accelerators = entry.Accelerators.Count == 0 ? [(AcceleratorCandidate?)null] : entry.Accelerators.Cast<AcceleratorCandidate?>();
            return locations.SelectMany(l => accelerators.Select(a => new ResourceCandidate(l, a, entry)));
        }).Distinct()];
    }

    public IReadOnlyList<PortRange> Ports { get; init; } = [];

    public int DiskSizeGb { get; init; } = SpecDefaults.DiskSizeGb;

    /// <summary><c>low</c>, <c>medium</c>, <c>high</c>, <c>ultra</c> or <c>best</c>; null leaves it to the cloud.</summary>
    public string? DiskTier { get; init; }

    public string? InstanceType { get; init; }

    /// <summary>As SkyPilot: <c>"8"</c> exactly, <c>"8+"</c> at least.</summary>
    public string? Cpus { get; init; }

    /// <summary>GB as SkyPilot: <c>"32"</c> exactly, <c>"32+"</c> at least.</summary>
    public string? Memory { get; init; }

    public string? ImageId { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = EmptyMaps.Strings;
}
