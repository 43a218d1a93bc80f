namespace SkyServe.LoadBalancer.Hosting;

/// <summary>The address the load balancer actually listens on (port 0 picks one), and the endpoint it gives each service.</summary>
public sealed class ListenAddress(LoadBalancerOptions options, ServicePortListeners listeners)
{
    public Uri? Bound { get; set; }

    /// <summary>The service's own port where this load balancer listens on it, else the shared port's endpoint.</summary>
    public string? EndpointFor(string service) => Bound is null
        ? null
        : listeners.EndpointFor(service) ?? options.EndpointTemplate.Replace("{service}", service).Replace("{domain}", options.Domain).Replace("{port}", Bound.Port.ToString());
}
