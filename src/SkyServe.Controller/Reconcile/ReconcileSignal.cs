using System.Collections.Concurrent;

namespace SkyServe.Controller.Reconcile;

/// <summary>
/// Asks for a service to be reconciled soon: after an API change, a probe transition, a notice, a launch result, a machine
/// the cloud listed differently, or load reported by a load balancer. Services are named by id, or by name once the
/// reconciler has seen them. <see cref="Woken"/> lets other controllers hear of it (PostgreSQL NOTIFY).
/// </summary>
public sealed class ReconcileSignal(ReconcileQueue queue)
{
    private readonly ConcurrentDictionary<string, long> idsByName = new();

    /// <summary>Raised for every wake from this process, so that it can be passed on to the controller that leads.</summary>
    public event Action<long>? Woken;

    public void Wake(long serviceId)
    {
        queue.Add(serviceId);
        Woken?.Invoke(serviceId);
    }

    /// <summary>A wake that came from another controller: queued here only.</summary>
    public void WakeFromPeer(long serviceId) => queue.Add(serviceId);

    public void Wake(string serviceName)
    {
        if (idsByName.TryGetValue(serviceName, out var id))
            Wake(id);
    }

    public void Known(string serviceName, long serviceId) => idsByName[serviceName] = serviceId;

    public void Forget(string serviceName) => idsByName.TryRemove(serviceName, out _);
}
