using SkyServe.Core.Spec;

namespace SkyServe.Core.Policies;

/// <summary>
/// Turns offered load into N_tar, the number of READY replicas the service should have (DESIGN.md section 6;
/// SkyPilot's request-rate autoscaler with hysteresis, measured in time rather than in decision periods).
/// </summary>
/// <remarks>
/// Choices where the design is silent:
/// <list type="bullet">
/// <item>Without a QPS target the target is <c>min_replicas</c> at once: a fixed size is not load, so there is
/// nothing to smooth.</item>
/// <item>A target outside [min, max] (the spec changed) is clipped at once; only load-driven changes wait.</item>
/// <item>A change is applied when it has persisted for exactly the delay (elapsed ≥ delay), so a delay of 0
/// applies it on the first decision.</item>
/// <item>Instance-aware: a replica's capacity is the map value for its accelerator; replicas with an unknown or
/// no accelerator count at the smallest map value. The alive replicas of the newest version among the given
/// replicas count first, largest capacity first; further replicas are assumed to have the smallest capacity, so
/// the estimate never falls short whatever the next launch gets.</item>
/// <item>A tiny tolerance keeps floating-point noise (0.7 / 0.1 = 6.9999…) from adding or dropping a replica.</item>
/// </list>
/// </remarks>
public static class Autoscaler
{
    private const double Tolerance = 1e-9;

    public static AutoscalerState Decide(
        ReplicaPolicySpec policy,
        double requestsPerSecond,
        IReadOnlyList<ReplicaSnapshot> replicas,
        AutoscalerState state,
        DateTimeOffset now)
    {
        if (policy.TargetQpsPerReplica is not { } target)
            return AutoscalerState.Initial(policy.MinReplicas);

        var current = Clip(state.Target, policy);
        var desired = Clip(DesiredReplicas(target, requestsPerSecond, replicas), policy);
        if (desired == current)
            return AutoscalerState.Initial(current);
        // Scale from zero is immediate: nobody is served until a replica exists.
        if (current == 0)
            return AutoscalerState.Initial(desired);

        var scalingUp = desired > current;
        var sameDirectionPending = state is { PendingTarget: { } pending, PendingSince: not null }
            && pending != current
            && (pending > current) == scalingUp;
        var since = sameDirectionPending ? state.PendingSince!.Value : now;
        var delay = TimeSpan.FromSeconds(scalingUp ? policy.UpscaleDelaySeconds : policy.DownscaleDelaySeconds);
        return now - since >= delay
            ? AutoscalerState.Initial(desired)
            : new AutoscalerState(current, desired, since);
    }

    private static int DesiredReplicas(TargetQps target, double requestsPerSecond, IReadOnlyList<ReplicaSnapshot> replicas)
    {
        if (double.IsNaN(requestsPerSecond) || requestsPerSecond <= 0)
            return 0;
        if (target.Uniform is { } perReplica)
            return CeilingToInt(requestsPerSecond / perReplica);
        if (target.PerAccelerator is not { Count: > 0 } perAccelerator)
            return 0;
        return InstanceAwareReplicas(target, perAccelerator.Values.Min(), requestsPerSecond, replicas);
    }

    private static int InstanceAwareReplicas(TargetQps target, double smallestCapacity, double requestsPerSecond, IReadOnlyList<ReplicaSnapshot> replicas)
    {
        var alive = replicas.Where(replica => replica.IsAlive).ToList();
        var newestVersion = alive.Count == 0 ? 0 : alive.Max(replica => replica.Version);
        var capacities = alive
            .Where(replica => replica.Version == newestVersion)
            .Select(replica => target.For(replica.Accelerator) ?? smallestCapacity)
            .OrderDescending();

        var covered = 0.0;
        var count = 0;
        foreach (var capacity in capacities)
        {
            if (covered >= requestsPerSecond - Tolerance)
                return count;
            covered += capacity;
            count++;
        }
        return covered >= requestsPerSecond - Tolerance
            ? count
            : count + CeilingToInt((requestsPerSecond - covered) / smallestCapacity);
    }

    private static int CeilingToInt(double value) => (int)Math.Min(int.MaxValue, Math.Ceiling(value - Tolerance));

    private static int Clip(int replicas, ReplicaPolicySpec policy) =>
        Math.Max(policy.MinReplicas, Math.Min(policy.MaxReplicas, replicas));
}
