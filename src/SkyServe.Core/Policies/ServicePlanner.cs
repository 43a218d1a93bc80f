using SkyServe.Core.Policies.Placers;

namespace SkyServe.Core.Policies;

/// <summary>
/// One reconcile step's decisions for a service: the autoscaler's N_tar, SpotHedge's spot/on-demand split and
/// placement for the current version (<see cref="HedgePlus"/>'s with <c>spot_placer: hedge_plus</c>), and the
/// retirement of older versions. Pure: the same snapshot always gives the same plan. The simulator
/// (<c>SkyServe.Core.Simulation</c>) drives SpotHedge and hedge_plus through this very method.
/// </summary>
/// <remarks>
/// Only alive replicas are counted or terminated: a replica under an interruption notice is replaced at once and
/// left to the cloud, one SHUTTING_DOWN or ended is never decided about again. The spot replicas a new spot replica
/// avoids are the current version's (old ones are on their way out; avoiding them would pile the new version
/// into one location).
/// </remarks>
public static class ServicePlanner
{
    public static ServicePlan Plan(ServiceSnapshot snapshot)
    {
        var policy = snapshot.Spec.Service.ReplicaPolicy;
        var autoscaler = Autoscaler.Decide(policy, snapshot.RequestsPerSecond, snapshot.Replicas, snapshot.Autoscaler, snapshot.Now);
        var targetReplicas = autoscaler.Target;

        var current = snapshot.Replicas.Where(replica => replica.Version == snapshot.CurrentVersion).ToList();
        var readySpot = current.Count(replica => replica.IsSpot && replica.IsReady);
        var placer = SpotPlacers.For(policy.SpotPlacer);
        var (spotTarget, onDemandTarget) = placer.Targets(snapshot, current, targetReplicas);

        var plan = new PlanBuilder();
        MarketPlanner.PlanSpot(snapshot, placer, current, targetReplicas, spotTarget, plan);
        MarketPlanner.PlanOnDemand(snapshot, current, spotTarget, onDemandTarget, readySpot, plan);
        var servingVersions = VersionRollout.Plan(snapshot, targetReplicas, plan);

        return new ServicePlan(targetReplicas, spotTarget, onDemandTarget, autoscaler, plan.Launches, plan.Terminations, servingVersions);
    }
}
