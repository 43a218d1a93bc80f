using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace SkyServe.LoadBalancer.LoadBalancing;

/// <summary>The replica with the fewest requests in flight; ties go round-robin so idle replicas share the load.</summary>
public sealed class LeastLoadPolicy : ILoadBalancingPolicy
{
    private int counter = -1;

    public string Name => PolicyNames.LeastLoad;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> available)
    {
        if (available.Count == 0)
            return null;
        var start = (int)((uint)Interlocked.Increment(ref counter) % (uint)available.Count);
        var best = available[start];
        for (var i = 1; i < available.Count; i++)
        {
            var candidate = available[(start + i) % available.Count];
            if (candidate.ConcurrentRequestCount < best.ConcurrentRequestCount)
                best = candidate;
        }
        return best;
    }
}
