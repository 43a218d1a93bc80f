using Microsoft.EntityFrameworkCore;
using SkyServe.Controller.Persistence;

namespace SkyServe.Controller.Reconcile;

/// <summary>
/// Offered load per service over a sliding window (60 s by default), from the counts load balancers post, kept in the
/// database (<see cref="RequestCountRecord"/>): whichever controller a load balancer posts to, the one that reconciles
/// sees the sum, and a failover loses none of it.
/// </summary>
public sealed class RequestRates(TimeProvider time, ReconcileOptions options)
{
    private long lastTrim;

    /// <summary>Adds the posted counts (the caller saves); now and then deletes counts older than the window.</summary>
    public async Task RecordAsync(ControllerDb db, IEnumerable<(long ServiceId, double Requests)> counts, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var second = new DateTime(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        foreach (var (serviceId, requests) in counts.Where(c => c.Requests > 0))
            db.RequestCounts.Add(new RequestCountRecord { ServiceId = serviceId, At = second, Requests = requests });
        if (time.GetElapsedTime(Interlocked.Read(ref lastTrim)) > options.QpsWindow || Interlocked.Read(ref lastTrim) == 0)
        {
            Interlocked.Exchange(ref lastTrim, time.GetTimestamp());
            var oldest = (now - options.QpsWindow).UtcDateTime;
            await db.RequestCounts.Where(c => c.At < oldest).ExecuteDeleteAsync(ct);
        }
    }

    public async Task<double> RequestsPerSecondAsync(ControllerDb db, long serviceId, CancellationToken ct)
    {
        var since = (time.GetUtcNow() - options.QpsWindow).UtcDateTime;
        var total = await db.RequestCounts.Where(c => c.ServiceId == serviceId && c.At > since).SumAsync(c => c.Requests, ct);
        return total / options.QpsWindow.TotalSeconds;
    }
}
