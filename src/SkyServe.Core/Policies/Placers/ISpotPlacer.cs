using SkyServe.Core.Spec;

namespace SkyServe.Core.Policies.Placers;

/// <summary>
/// A spot placer (<c>service.replica_policy.spot_placer</c>): how many spot and on-demand replicas a service runs, where
/// each new spot replica goes, and which go when the spot fleet shrinks. Pure, like the rest of the planner; the
/// controller and the simulator reach every placer through <see cref="SpotPlacers.For"/>.
/// </summary>
public interface ISpotPlacer
{
    /// <summary>The spec's name for it; null for SkyPilot's default (no <c>spot_placer</c>).</summary>
    string? Name { get; }

    /// <param name="current">Every replica of the current version, ended ones included.</param>
    (int Spot, int OnDemand) Targets(ServiceSnapshot snapshot, IReadOnlyList<ReplicaSnapshot> current, int targetReplicas);

    /// <param name="used">Locations taken by the current version's spot replicas (alive, or under notice until they go).</param>
    /// <param name="held">Locations of the alive spot replicas, one entry per replica, launches of this decision included.</param>
    /// <param name="ordinal">Which launch of this decision (0 for the first).</param>
    /// <param name="spotTarget">The spot fleet being filled.</param>
    PlacementOption? ChooseSpot(ServiceSnapshot snapshot, IReadOnlyCollection<Location> used, IReadOnlyList<Location> held,
        int targetReplicas, int ordinal, int spotTarget);

    /// <summary>The <paramref name="count"/> alive spot replicas to terminate when the spot target falls.</summary>
    IReadOnlyList<ReplicaSnapshot> ScaleDown(ServiceSnapshot snapshot, IReadOnlyList<ReplicaSnapshot> alive, int count, int targetReplicas);
}

/// <summary>The placers by spec name.</summary>
public static class SpotPlacers
{
    public static readonly ISpotPlacer Cheapest = new SpotHedgePlacer(null);
    public static readonly ISpotPlacer DynamicFallback = new SpotHedgePlacer(SpotPlacer.DynamicFallback);
    public static readonly ISpotPlacer HedgePlus = new HedgePlusPlacer();

    public static ISpotPlacer For(SpotPlacer? placer) => placer switch
    {
        null => Cheapest,
        SpotPlacer.DynamicFallback => DynamicFallback,
        SpotPlacer.HedgePlus => HedgePlus,
        _ => throw new ArgumentOutOfRangeException(nameof(placer), placer, "no such spot placer"),
    };
}
