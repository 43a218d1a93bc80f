using SkyServe.LoadBalancer.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace SkyServe.LoadBalancer.Tests;

public sealed class InstanceAwarePolicyTests
{
    [Fact]
    public void Load_is_in_flight_over_capacity()
    {
        var a100 = new DestinationState("a100");
        var l4 = new DestinationState("l4");
        var weights = new Dictionary<DestinationState, double> { [a100] = 8, [l4] = 2 };
        var policy = new InstanceAwareLeastLoadPolicy(d => weights[d]);
        var cluster = new ClusterState("c");
        // Place 10 requests that never finish: the A100 (capacity 8) should take 4 for each one on the L4 (capacity 2).
        for (var i = 0; i < 10; i++)
            policy.PickDestination(null!, cluster, [a100, l4])!.ConcurrentRequestCount++;
        Assert.Equal(8, a100.ConcurrentRequestCount);
        Assert.Equal(2, l4.ConcurrentRequestCount);
    }

    [Fact]
    public void Plain_least_load_ignores_capacity()
    {
        var a = new DestinationState("a") { ConcurrentRequestCount = 3 };
        var b = new DestinationState("b") { ConcurrentRequestCount = 1 };
        Assert.Same(b, new LeastLoadPolicy().PickDestination(null!, new ClusterState("c"), [a, b]));
    }
}
