namespace SkyServe.LoadBalancer.Routing;

/// <summary>
/// The services and their READY replicas, swapped atomically when the controller's set changes. Replica
/// objects are reused across updates so that in-flight counts survive them.
/// </summary>
public sealed class RouteTable
{
    private volatile IReadOnlyDictionary<string, ServiceRoute> routes = new Dictionary<string, ServiceRoute>();
    private TaskCompletionSource changed = NewWaiter();

    public IReadOnlyDictionary<string, ServiceRoute> Routes => routes;

    public ServiceRoute? Find(string service) => routes.GetValueOrDefault(service);

    public void Replace(IEnumerable<ServiceRoute> next)
    {
        var previous = routes;
        routes = next.Select(route => new ServiceRoute(route.Name, route.Policy,
            route.Replicas.Select(r => Reuse(previous.GetValueOrDefault(route.Name), r)).ToList(), route.ScaleToZero, route.BuiltInEngine)).ToDictionary(r => r.Name);
        Interlocked.Exchange(ref changed, NewWaiter()).TrySetResult();
    }

    /// <summary>Completes at the next replacement of the table.</summary>
    public Task NextChangeAsync() => changed.Task;

    private static Replica Reuse(ServiceRoute? previous, Replica replica) =>
        previous?.Replicas.FirstOrDefault(p => p.Id == replica.Id && p.Url == replica.Url) ?? replica;

    private static TaskCompletionSource NewWaiter() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
