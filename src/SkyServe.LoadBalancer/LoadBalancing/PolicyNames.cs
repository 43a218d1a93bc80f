namespace SkyServe.LoadBalancer.LoadBalancing;

/// <summary>The spec's load_balancing_policy values, which are also the names of the YARP policies here.</summary>
public static class PolicyNames
{
    public const string RoundRobin = "round_robin";
    public const string LeastLoad = "least_load";
    public const string InstanceAwareLeastLoad = "instance_aware_least_load";
}
