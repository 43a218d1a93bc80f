using SkyServe.LoadBalancer.LoadBalancing;
using SkyServe.LoadBalancer.Routing;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace SkyServe.LoadBalancer.Forwarding;

/// <summary>The service's policy picks among its healthy replicas not yet tried (all untried ones if none is healthy).</summary>
public sealed class ReplicaPicker(PassiveHealth health, IEnumerable<ILoadBalancingPolicy> policies)
{
    private static readonly ClusterState Cluster = new("skyserve");
    private readonly Dictionary<string, ILoadBalancingPolicy> policyByName = policies.ToDictionary(p => p.Name);

    public Replica? Pick(ServiceRoute route, HashSet<string>? tried)
    {
        var replicas = route.Replicas;
        // The common case: nothing tried yet and every replica healthy — hand the route's own list to the policy.
        var candidates = tried is null && AllHealthy(replicas) ? route.Destinations : Filter(replicas, tried);
        if (candidates.Count == 0)
            return null;
        var policy = policyByName.GetValueOrDefault(route.Policy) ?? policyByName[PolicyNames.LeastLoad];
        var picked = policy.PickDestination(null!, Cluster, candidates);
        foreach (var replica in replicas)
            if (ReferenceEquals(replica.Destination, picked))
                return replica;
        return null;
    }

    private bool AllHealthy(IReadOnlyList<Replica> replicas)
    {
        foreach (var replica in replicas)
            if (!health.IsHealthy(replica.Url))
                return false;
        return true;
    }

    private List<DestinationState> Filter(IReadOnlyList<Replica> replicas, HashSet<string>? tried)
    {
        var untried = replicas.Where(r => tried is null || !tried.Contains(r.Id)).ToList();
        var healthy = untried.Where(r => health.IsHealthy(r.Url)).ToList();
        return (healthy.Count > 0 ? healthy : untried).Select(r => r.Destination).ToList();
    }
}
