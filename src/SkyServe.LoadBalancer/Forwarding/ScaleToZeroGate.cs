using SkyServe.LoadBalancer.Hosting;
using SkyServe.LoadBalancer.Routing;
using SkyServe.LoadBalancer.Stats;

namespace SkyServe.LoadBalancer.Forwarding;

/// <summary>
/// Holds requests to a scaled-to-zero service until the controller reports a READY replica: bounded in
/// time and in the number of waiting requests. The waiting request is reported to the controller at once,
/// which is what makes it scale from zero.
/// </summary>
public sealed class ScaleToZeroGate(LoadBalancerOptions options, RouteTable table, StatsReporter? reporter)
{
    private int waiting;

    public async Task<Replica?> WaitAsync(string service, Func<Replica?> pick, CancellationToken ct)
    {
        if (Interlocked.Increment(ref waiting) > options.ScaleToZeroQueueLimit)
        {
            Interlocked.Decrement(ref waiting);
            return null;
        }
        try
        {
            reporter?.Wake();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.ScaleToZeroWait);
            while (true)
            {
                var next = table.NextChangeAsync();
                if (pick() is { } replica)
                    return replica;
                try
                {
                    await next.WaitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref waiting);
        }
    }
}
