namespace SkyServe.Controller.Routing;

/// <summary>
/// Wakes the routing table as soon as this controller writes replicas or services, so a READY-set change
/// reaches the load balancers without waiting for the next periodic recompute (which remains for changes
/// written by other controllers of a shared database).
/// </summary>
public sealed class RoutingChangeSignal
{
    private readonly SemaphoreSlim pending = new(0, 1);

    public void Raise()
    {
        try
        {
            pending.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already raised and not yet consumed: one recompute covers both writes.
        }
    }

    /// <summary>Waits until raised or until <paramref name="timeout"/> passes, whichever is first.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => pending.WaitAsync(timeout, ct);
}
