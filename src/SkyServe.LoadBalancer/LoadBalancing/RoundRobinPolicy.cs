using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace SkyServe.LoadBalancer.LoadBalancing;

/// <summary>Each replica in turn.</summary>
public sealed class RoundRobinPolicy : ILoadBalancingPolicy
{
    private int counter = -1;

    public string Name => PolicyNames.RoundRobin;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> available) =>
        available.Count == 0 ? null : available[(int)((uint)Interlocked.Increment(ref counter) % (uint)available.Count)];
}
