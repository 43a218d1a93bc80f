namespace SkyServe.Core.Policies;

/// <summary>
/// Somewhere a replica of this service can be launched: an instance type in a location, with its prices.
/// <paramref name="SpotAvailable"/> and <paramref name="OnDemandAvailable"/> are false while the provider shuns that
/// offering after a capacity refusal. <paramref name="Rank"/> is its place in the spec's order of preference
/// (<c>ordered:</c>, a list of <c>accelerators</c>; see <see cref="Placement.PreferenceRank"/>): 0 is the first choice,
/// and every option ranks 0 without an order.
/// </summary>
public sealed record PlacementOption(
    Location Location,
    string InstanceType,
    string? Accelerator,
    decimal OnDemandPrice,
    decimal? SpotPrice,
    bool SpotAvailable = true,
    int Rank = 0,
    bool OnDemandAvailable = true)
{
    public bool HasSpot => SpotPrice is not null;
}
