namespace SkyServe.Core.Spec;

/// <summary>How the load balancer picks a replica (<c>service.load_balancing_policy</c>).</summary>
public enum LoadBalancingPolicy
{
    /// <summary><c>round_robin</c>: replicas in turn.</summary>
    RoundRobin,
    /// <summary><c>least_load</c>: fewest in-flight requests; SkyPilot's default.</summary>
    LeastLoad,
    /// <summary><c>instance_aware_least_load</c>: in-flight requests divided by the replica's per-GPU QPS target.</summary>
    InstanceAwareLeastLoad,
}
