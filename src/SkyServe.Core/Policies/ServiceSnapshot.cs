using SkyServe.Core.Domain;
using SkyServe.Core.Spec;

namespace SkyServe.Core.Policies;

/// <summary>Everything the policies decide from, frozen at <see cref="Now"/>.</summary>
/// <param name="Spec">The current version's spec.</param>
/// <param name="Mode">How the current version replaces older ones.</param>
/// <param name="Replicas">All replicas of the service, every version, including ended ones.</param>
/// <param name="Locations">SpotHedge state of the locations seen so far; others count as Active.</param>
/// <param name="Options">Where the current version can launch, from the catalog and the provider's offerings.</param>
/// <param name="RequestsPerSecond">Offered load over the last 60 s, from the load balancers.</param>
public sealed record ServiceSnapshot(
    ServiceSpec Spec,
    int CurrentVersion,
    UpdateMode Mode,
    IReadOnlyList<ReplicaSnapshot> Replicas,
    IReadOnlyList<LocationState> Locations,
    IReadOnlyList<PlacementOption> Options,
    double RequestsPerSecond,
    AutoscalerState Autoscaler,
    DateTimeOffset Now)
{
    /// <summary>Breaks ties between equally good spot locations (the simulator's seeded random pick); null: the location that sorts first.</summary>
    public PlacementTieBreak? TieBreak { get; init; }
}
