namespace SkyServe.Core.Traces;

/// <summary>One zone for <see cref="RandomSpotCapacity"/>.</summary>
/// <param name="Zone">The zone name, e.g. <c>us-west-2c</c>.</param>
/// <param name="MaxCapacity">The most spot instances the zone ever has (its plentiful level); at least 1.</param>
/// <param name="Region">Zones of one region share a pressure process; by default the region is read from the zone name (<see cref="ZoneRegion.Of"/>).</param>
/// <param name="Gpu">The GPU part of the generated trace's name.</param>
public sealed record RandomCapacityZone(string Zone, int MaxCapacity, string? Region = null, string Gpu = "random")
{
    public string EffectiveRegion => Region ?? ZoneRegion.Of(Zone);
}
