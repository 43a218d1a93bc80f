using SkyServe.Core.Spec;

namespace SkyServe.Core.Policies.Placers;

/// <summary><c>hedge_plus</c>, this project's placer: see <see cref="Policies.HedgePlus"/>.</summary>
internal sealed class HedgePlusPlacer : ISpotPlacer
{
    public string? Name => SpotPlacer.HedgePlus.ToSpecName();

    public (int Spot, int OnDemand) Targets(ServiceSnapshot snapshot, IReadOnlyList<ReplicaSnapshot> current, int targetReplicas)
    {
        var policy = snapshot.Spec.Service.ReplicaPolicy;
        return snapshot.Spec.UsesSpot
            ? Policies.HedgePlus.Targets(targetReplicas, policy, snapshot.Spec.UsesSpot,
                current.Where(replica => replica.IsSpot && replica.IsAlive).ToList(), snapshot.Locations, snapshot.Now)
            : SpotHedge.Targets(targetReplicas, policy, snapshot.Spec.UsesSpot, current.Count(replica => replica.IsSpot && replica.IsReady));
    }

    public PlacementOption? ChooseSpot(ServiceSnapshot snapshot, IReadOnlyCollection<Location> used, IReadOnlyList<Location> held,
        int targetReplicas, int ordinal, int spotTarget) =>
        Policies.HedgePlus.ChooseSpot(snapshot.Options, snapshot.Locations, held, targetReplicas, snapshot.Now, snapshot.TieBreak, ordinal, spotTarget);

    public IReadOnlyList<ReplicaSnapshot> ScaleDown(ServiceSnapshot snapshot, IReadOnlyList<ReplicaSnapshot> alive, int count, int targetReplicas) =>
        Policies.HedgePlus.ScaleDown(alive, count, snapshot.CurrentVersion, snapshot.Locations, targetReplicas, snapshot.Now);
}
