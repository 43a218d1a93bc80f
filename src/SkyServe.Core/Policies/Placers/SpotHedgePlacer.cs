using SkyServe.Core.Spec;

namespace SkyServe.Core.Policies.Placers;

/// <summary>
/// SkyPilot's placers: <c>dynamic_fallback</c> (SpotHedge, the paper's Algorithm 1: the cheapest ACTIVE location hosting
/// none of the service's spot replicas) and, with no <c>spot_placer</c>, the cheapest spot offering. Both size the fleet with
/// <see cref="SpotHedge.Targets"/> and shrink it in <see cref="ScaleDownOrder"/>.
/// </summary>
internal sealed class SpotHedgePlacer(SpotPlacer? placer) : ISpotPlacer
{
    public string? Name => placer?.ToSpecName();

    public (int Spot, int OnDemand) Targets(ServiceSnapshot snapshot, IReadOnlyList<ReplicaSnapshot> current, int targetReplicas) =>
        SpotHedge.Targets(targetReplicas, snapshot.Spec.Service.ReplicaPolicy, snapshot.Spec.UsesSpot,
            current.Count(replica => replica.IsSpot && replica.IsReady));

    public PlacementOption? ChooseSpot(ServiceSnapshot snapshot, IReadOnlyCollection<Location> used, IReadOnlyList<Location> held,
        int targetReplicas, int ordinal, int spotTarget) =>
        SpotHedge.ChooseSpot(snapshot.Options, snapshot.Locations, used, placer, snapshot.TieBreak, snapshot.Now, ordinal);

    public IReadOnlyList<ReplicaSnapshot> ScaleDown(ServiceSnapshot snapshot, IReadOnlyList<ReplicaSnapshot> alive, int count, int targetReplicas) =>
        ScaleDownOrder.Pick(alive, count, snapshot.CurrentVersion);
}
