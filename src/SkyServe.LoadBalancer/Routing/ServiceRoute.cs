using System.Security.Cryptography.X509Certificates;

namespace SkyServe.LoadBalancer.Routing;

/// <summary>A service's routing state: its policy and READY replicas. Immutable; the table swaps whole routes.</summary>
/// <param name="ScaleToZero">min_replicas is 0: with no replica, requests wait for one instead of failing.</param>
/// <param name="BuiltInEngine">The replicas run the built-in engine: only its OpenAI paths are forwarded (<see cref="Forwarding.ForwardedPaths"/>).</param>
/// <param name="EndpointPort">The service's own port, where load balancers with service ports listen for it alone.</param>
/// <param name="Certificate">The service's certificate with its key: its own port serves HTTPS.</param>
public sealed record ServiceRoute(string Name, string Policy, IReadOnlyList<Replica> Replicas, bool ScaleToZero, bool BuiltInEngine = false,
    int? EndpointPort = null, X509Certificate2? Certificate = null)
{
    /// <summary>The replicas' YARP states, in order: what policies pick from on the hot path.</summary>
    public IReadOnlyList<Yarp.ReverseProxy.Model.DestinationState> Destinations { get; } = Replicas.Select(r => r.Destination).ToList();
}
