using Yarp.ReverseProxy.Model;

namespace SkyServe.LoadBalancer.Routing;

/// <summary>
/// One READY replica as the proxy sees it. <see cref="Destination"/> is YARP's state object, so the
/// in-flight count that least-load policies read is the one the forwarder maintains.
/// </summary>
public sealed class Replica(string id, string url, int version, double weight)
{
    public DestinationState Destination { get; } = new(id);
    public string Id => Destination.DestinationId;
    public string Url { get; } = url.TrimEnd('/');
    public int Version { get; } = version;
    /// <summary>Relative capacity (the per-GPU QPS target for instance-aware balancing, else 1).</summary>
    public double Weight { get; } = weight > 0 ? weight : 1;

    private int inFlight;

    /// <summary>Counts an attempt in; YARP's state mirrors the exact count the policies compare.</summary>
    public void Enter() => Destination.ConcurrentRequestCount = Interlocked.Increment(ref inFlight);

    public void Leave() => Destination.ConcurrentRequestCount = Interlocked.Decrement(ref inFlight);
}
