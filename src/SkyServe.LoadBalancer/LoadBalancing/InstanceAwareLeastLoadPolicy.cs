using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace SkyServe.LoadBalancer.LoadBalancing;

/// <summary>
/// Least load relative to capacity: in-flight ÷ the replica's per-GPU QPS target, so an A100 with target 8
/// takes four times the requests of an L4 with target 2 (SkyPilot's instance_aware_least_load).
/// </summary>
public sealed class InstanceAwareLeastLoadPolicy(Func<DestinationState, double> weightOf) : ILoadBalancingPolicy
{
    private int counter = -1;

    public string Name => PolicyNames.InstanceAwareLeastLoad;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> available)
    {
        if (available.Count == 0)
            return null;
        var start = (int)((uint)Interlocked.Increment(ref counter) % (uint)available.Count);
        var best = available[start];
        var bestLoad = Load(best);
        for (var i = 1; i < available.Count; i++)
        {
            var candidate = available[(start + i) % available.Count];
            var load = Load(candidate);
            if (load < bestLoad)
                (best, bestLoad) = (candidate, load);
        }
        return best;
    }

    // +1: the request being placed, so that at zero load the larger replica still wins.
    private double Load(DestinationState destination) => (destination.ConcurrentRequestCount + 1) / weightOf(destination);
}
