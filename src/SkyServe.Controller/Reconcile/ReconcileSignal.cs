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

    /// <summary>Queued here only: a wake from another controller, or from the leader's own reconcile, prober or machine list.</summary>
    public void WakeHere(long serviceId) => queue.Add(serviceId);

    public void WakeHere(string serviceName)
    {
        if (idsByName.TryGetValue(serviceName, out var id))
            queue.Add(id);
    }

    public void Known(string serviceName, long serviceId) => idsByName[serviceName] = serviceId;

    public void Forget(string serviceName) => idsByName.TryRemove(serviceName, out _);
}
