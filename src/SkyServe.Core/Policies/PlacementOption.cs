namespace SkyServe.Core.Policies;

/// <summary>
/// Somewhere a replica of this service can be launched: an instance type in a location, with its prices.
/// <paramref name="SpotAvailable"/> is false while the provider shuns the spot offering after a capacity refusal.
/// </summary>
public sealed record PlacementOption(
    Location Location,
    string InstanceType,
    string? Accelerator,
    decimal OnDemandPrice,
    decimal? SpotPrice,
    bool SpotAvailable = true)
{
    public bool HasSpot => SpotPrice is not null;
}
