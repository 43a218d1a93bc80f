using SkyServe.Core.Policies.Placers;
using SkyServe.Core.Spec;

namespace SkyServe.Core.Policies;

/// <summary>
/// Brings the current version's alive replicas of one market (spot or on-demand) to its SpotHedge target:
/// launches the shortfall, terminates the surplus in <see cref="ScaleDownOrder"/>.
/// </summary>
internal static class MarketPlanner
{
    /// <param name="current">Every replica of the current version, ended ones included.</param>
    /// <param name="targetReplicas">N_tar (hedge_plus places against it).</param>
    public static void PlanSpot(ServiceSnapshot snapshot, ISpotPlacer placer, IReadOnlyList<ReplicaSnapshot> current, int targetReplicas, int spotTarget,
        PlanBuilder plan)
    {
        var spot = current.Where(replica => replica.IsSpot).ToList();
        var alive = spot.Where(replica => replica.IsAlive).ToList();
        var underNotice = spot.Count(IsUnderNotice);
        var reason = $"spot target {spotTarget}, {alive.Count} alive" + (underNotice > 0 ? $", {underNotice} under interruption notice" : "");

        if (alive.Count > spotTarget)
        {
            foreach (var replica in placer.ScaleDown(snapshot, alive, alive.Count - spotTarget, targetReplicas))
                plan.Terminate(replica, reason);
            return;
        }

        // A replica under notice still occupies its location until the machine goes: its replacement avoids it.
        var used = spot.Where(replica => replica.IsAlive || IsUnderNotice(replica)).Select(replica => replica.Location).ToHashSet();
        var held = alive.Select(replica => replica.Location).ToList();
        for (var launched = alive.Count; launched < spotTarget; launched++)
        {
            var ordinal = launched - alive.Count;
            if (placer.ChooseSpot(snapshot, used, held, targetReplicas, ordinal, spotTarget) is not { } option)
                return;
            used.Add(option.Location);
            held.Add(option.Location);
            plan.Launch(new LaunchDecision(snapshot.CurrentVersion, IsSpot: true, option, reason));
        }
    }

    /// <param name="current">Every replica of the current version, ended ones included.</param>
    public static void PlanOnDemand(
        ServiceSnapshot snapshot, IReadOnlyList<ReplicaSnapshot> current, int spotTarget, int onDemandTarget, int readySpot, PlanBuilder plan)
    {
        var alive = current.Where(replica => !replica.IsSpot && replica.IsAlive).ToList();
        var reason = Reason(snapshot.Spec, spotTarget, onDemandTarget, readySpot, alive.Count);

        if (alive.Count > onDemandTarget)
        {
            foreach (var replica in ScaleDownOrder.Pick(alive, alive.Count - onDemandTarget, snapshot.CurrentVersion))
                plan.Terminate(replica, reason);
            return;
        }

        if (alive.Count == onDemandTarget || SpotHedge.ChooseOnDemand(snapshot.Options) is not { } option)
            return;
        for (var launched = alive.Count; launched < onDemandTarget; launched++)
            plan.Launch(new LaunchDecision(snapshot.CurrentVersion, IsSpot: false, option, reason));
    }

    private static string Reason(ServiceSpec spec, int spotTarget, int onDemandTarget, int readySpot, int alive)
    {
        var policy = spec.Service.ReplicaPolicy;
        if (spec.UsesSpot && policy.DynamicOndemandFallback)
            return $"on-demand fallback: {readySpot} of {spotTarget} spot ready, on-demand target {onDemandTarget}, {alive} alive";
        if (spec.UsesSpot)
            return $"on-demand base {onDemandTarget}, {alive} alive";
        return $"on-demand target {onDemandTarget}, {alive} alive";
    }

    private static bool IsUnderNotice(ReplicaSnapshot replica) =>
        replica.NoticeDeadline is not null && ScaleDownOrder.CanBeTerminated(replica);
}
