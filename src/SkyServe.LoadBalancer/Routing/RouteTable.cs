namespace SkyServe.LoadBalancer.Routing;

/// <summary>
/// The services and their READY replicas, swapped atomically when the controller's set changes (whole, or the
/// services of a delta). Replica objects are reused across updates so that in-flight counts survive them.
/// </summary>
public sealed class RouteTable
{
    private volatile IReadOnlyDictionary<string, ServiceRoute> routes = new Dictionary<string, ServiceRoute>();
    private TaskCompletionSource changed = NewWaiter();

    public IReadOnlyDictionary<string, ServiceRoute> Routes => routes;

    public ServiceRoute? Find(string service) => routes.GetValueOrDefault(service);

    /// <summary>The whole table: services not in <paramref name="next"/> are gone.</summary>
    public void Replace(IEnumerable<ServiceRoute> next)
    {
        var previous = routes;
        Swap(next.Select(route => Reusing(previous, route)).ToDictionary(r => r.Name));
    }

    /// <summary>A delta: <paramref name="removed"/> go, each of <paramref name="changed"/> replaces the service of its name, the rest stay.</summary>
    public void Apply(IEnumerable<ServiceRoute> changed, IEnumerable<string> removed)
    {
        var previous = routes;
        var next = new Dictionary<string, ServiceRoute>(previous);
        foreach (var name in removed)
            next.Remove(name);
        foreach (var route in changed)
            next[route.Name] = Reusing(previous, route);
        Swap(next);
    }

    private void Swap(IReadOnlyDictionary<string, ServiceRoute> next)
    {
        routes = next;
        Interlocked.Exchange(ref changed, NewWaiter()).TrySetResult();
    }

    // Built anew rather than with `with`, which would copy Destinations computed from the old replicas.
    private static ServiceRoute Reusing(IReadOnlyDictionary<string, ServiceRoute> previous, ServiceRoute route) => new(route.Name, route.Policy,
        route.Replicas.Select(r => Reuse(previous.GetValueOrDefault(route.Name), r)).ToList(), route.ScaleToZero, route.BuiltInEngine,
        route.EndpointPort, route.Certificate);

    /// <summary>Completes at the next replacement of the table.</summary>
    public Task NextChangeAsync() => changed.Task;

    private static Replica Reuse(ServiceRoute? previous, Replica replica) =>
        previous?.Replicas.FirstOrDefault(p => p.Id == replica.Id && p.Url == replica.Url) ?? replica;

    private static TaskCompletionSource NewWaiter() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
