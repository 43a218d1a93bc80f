using SkyServe.Controller.Hosting;

namespace SkyServe.Controller.Routing;

/// <summary>
/// The services whose routes may have changed since the routing table last looked, and the wake that makes it look:
/// this controller's writes (<see cref="Persistence.RoutingChangeInterceptor"/>) and other controllers' writes
/// (<see cref="RouteChangeListener"/>) mark them, so a change reaches the load balancers without waiting for the
/// periodic full recompute, and only the marked services are read again.
/// </summary>
public sealed class RoutingChangeSignal : WakeSignal
{
    private readonly Lock gate = new();
    private HashSet<long> services = [];
    private bool all;

    public void Changed(IEnumerable<long> serviceIds)
    {
        lock (gate)
            services.UnionWith(serviceIds);
        Wake();
    }

    /// <summary>Anything may have changed (a lost connection may have lost notices): the next recompute reads every service.</summary>
    public void ChangedAll()
    {
        lock (gate)
            all = true;
        Wake();
    }

    /// <summary>What was marked since the last call, and forgets it.</summary>
    public (bool All, IReadOnlySet<long> Services) Take()
    {
        lock (gate)
        {
            var taken = (all, (IReadOnlySet<long>)services);
            (all, services) = (false, []);
            return taken;
        }
    }
}
