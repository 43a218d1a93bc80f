using SkyServe.Providers.Local;

namespace SkyServe.Providers.Docker;

/// <summary>
/// The spot capacity of each host that has a <see cref="DockerHostOptions.Spot"/> section, built as the local runtime
/// builds its zones' (<see cref="LocalZonesLoader.SpotCapacities"/>): a trace file replayed from its offset, or the seeded
/// random process up to MaxSpot.
/// </summary>
public static class DockerSpotCapacities
{
    /// <param name="baseDirectory">What a relative trace path is relative to (the config folder).</param>
    public static IReadOnlyDictionary<string, ISpotCapacity> FromOptions(DockerProviderOptions options, string baseDirectory)
    {
        var zones = options.Hosts.Where(h => h.Spot is not null).Select(h => new LocalZoneEntry
        {
            Infra = $"{DockerCloud.Name}/{h.RegionName}/{h.Zone}",
            MaxSpot = h.Spot!.MaxSpot,
            Trace = h.Spot.Trace,
            TraceOffsetHours = h.Spot.TraceOffsetHours,
        }).ToList();
        if (zones.Count == 0)
            return new Dictionary<string, ISpotCapacity>();
        return LocalZonesLoader.SpotCapacities(zones, baseDirectory, options.Spot.Seed)
            .ToDictionary(z => z.Key[(z.Key.LastIndexOf('/') + 1)..], z => z.Value);
    }
}
