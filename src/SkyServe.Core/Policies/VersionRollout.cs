using SkyServe.Core.Domain;

namespace SkyServe.Core.Policies;

/// <summary>
/// Retires the alive replicas of older versions during an update (DESIGN.md section 6, Updates) and says which
/// versions receive traffic.
/// </summary>
/// <remarks>
/// Rolling keeps at most <c>N_tar − current READY</c> old READY replicas, so READY replicas never total less than
/// N_tar. Blue-green keeps every old READY replica until the current version has <c>min_replicas</c> READY (at least
/// one, unless N_tar is 0: switching to an empty version would drop the service), then retires them all. Old replicas
/// that are not READY serve nobody and go in both modes. Versions newer than the current one are left alone.
/// </remarks>
internal static class VersionRollout
{
    /// <returns>The versions whose READY replicas receive traffic after this plan; never empty.</returns>
    public static IReadOnlySet<int> Plan(ServiceSnapshot snapshot, int targetReplicas, PlanBuilder plan)
    {
        var old = snapshot.Replicas.Where(replica => replica.Version < snapshot.CurrentVersion && replica.IsAlive).ToList();
        var currentReady = snapshot.Replicas.Count(replica => replica.Version == snapshot.CurrentVersion && replica.IsReady);
        return snapshot.Mode == UpdateMode.BlueGreen
            ? BlueGreen(snapshot, old, currentReady, targetReplicas, plan)
            : Rolling(snapshot, old, currentReady, targetReplicas, plan);
    }

    private static IReadOnlySet<int> Rolling(
        ServiceSnapshot snapshot, IReadOnlyList<ReplicaSnapshot> old, int currentReady, int targetReplicas, PlanBuilder plan)
    {
        var oldReady = old.Count(replica => replica.IsReady);
        var keep = Math.Min(oldReady, Math.Max(0, targetReplicas - currentReady));
        var reason = $"rolling update to version {snapshot.CurrentVersion}: {currentReady} of {targetReplicas} new replicas ready";
        foreach (var replica in ScaleDownOrder.Pick(old, old.Count - keep, snapshot.CurrentVersion))
            plan.Terminate(replica, replica.IsReady ? reason : $"rolling update to version {snapshot.CurrentVersion}: old replica not ready");

        var serving = snapshot.Replicas
            .Where(replica => replica.Version <= snapshot.CurrentVersion && replica.IsReady && !plan.IsTerminated(replica))
            .Select(replica => replica.Version)
            .ToHashSet();
        return serving.Count > 0 ? serving : new HashSet<int> { snapshot.CurrentVersion };
    }

    private static IReadOnlySet<int> BlueGreen(
        ServiceSnapshot snapshot, IReadOnlyList<ReplicaSnapshot> old, int currentReady, int targetReplicas, PlanBuilder plan)
    {
        var oldReady = old.Where(replica => replica.IsReady).ToList();
        var needed = targetReplicas == 0 ? 0 : Math.Max(1, snapshot.Spec.Service.ReplicaPolicy.MinReplicas);
        var switched = oldReady.Count == 0 || currentReady >= needed;

        var reason = switched
            ? $"blue-green: switched to version {snapshot.CurrentVersion}, {currentReady} ready"
            : $"blue-green update to version {snapshot.CurrentVersion}: old replica not ready";
        foreach (var replica in old.Where(replica => switched || !replica.IsReady))
            plan.Terminate(replica, reason);

        return switched
            ? new HashSet<int> { snapshot.CurrentVersion }
            : oldReady.Select(replica => replica.Version).ToHashSet();
    }
}
