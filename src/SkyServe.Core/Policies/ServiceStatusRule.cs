using SkyServe.Core.Domain;

namespace SkyServe.Core.Policies;

/// <summary>
/// A service's status from its replicas after a plan: READY while a replica of a serving version is READY and not under
/// notice; REPLICA_INIT while any replica is alive or being launched; otherwise NO_REPLICA (scaled to zero, or none running).
/// </summary>
public static class ServiceStatusRule
{
    public static (ServiceStatus Status, string Reason) Decide(IReadOnlyCollection<ReplicaSnapshot> replicas, ServicePlan plan)
    {
        var serving = replicas.Any(r => r.Status == ReplicaStatus.READY && r.NoticeDeadline is null && plan.ServingVersions.Contains(r.Version));
        var alive = replicas.Any(r => !r.Status.IsTerminal() && r.Status != ReplicaStatus.SHUTTING_DOWN) || plan.Launches.Count > 0;
        return serving ? (ServiceStatus.READY, "a replica is ready")
            : alive ? (ServiceStatus.REPLICA_INIT, "replicas are starting")
            : (ServiceStatus.NO_REPLICA, plan.TargetReplicas == 0 ? "scaled to zero" : "no replica is running");
    }
}
