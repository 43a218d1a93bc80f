namespace SkyServe.LoadBalancer.Routing;

/// <summary>A service's routing state: its policy and READY replicas. Immutable; the table swaps whole routes.</summary>
/// <param name="ScaleToZero">min_replicas is 0: with no replica, requests wait for one instead of failing.</param>
/// <param name="BuiltInEngine">The replicas run the built-in engine: only its OpenAI paths are forwarded (<see cref="Forwarding.ForwardedPaths"/>).</param>
public sealed record ServiceRoute(string Name, string Policy, IReadOnlyList<Replica> Replicas, bool ScaleToZero, bool BuiltInEngine = false)
{
    /// <summary>The replicas' YARP states, in order: what policies pick from on the hot path.</summary>
    public IReadOnlyList<Yarp.ReverseProxy.Model.DestinationState> Destinations { get; } = Replicas.Select(r => r.Destination).ToList();
}
