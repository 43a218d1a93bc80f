namespace SkyServe.LoadBalancer.Hosting;

/// <summary>The address the load balancer actually listens on (port 0 picks one), and the endpoint it gives each service.</summary>
public sealed class ListenAddress(LoadBalancerOptions options)
{
    public Uri? Bound { get; set; }

    public string? EndpointFor(string service) => Bound is null
        ? null
        : options.EndpointTemplate.Replace("{service}", service).Replace("{domain}", options.Domain).Replace("{port}", Bound.Port.ToString());
}
