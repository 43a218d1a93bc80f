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
        var second = Second(now);
        foreach (var (serviceId, requests) in counts.Where(c => c.Requests > 0))
            db.RequestCounts.Add(new RequestCountRecord { ServiceId = serviceId, At = second, Requests = requests });
        if (time.GetElapsedTime(Interlocked.Read(ref lastTrim)) > options.QpsWindow || Interlocked.Read(ref lastTrim) == 0)
        {
            Interlocked.Exchange(ref lastTrim, time.GetTimestamp());
            var oldest = Second(now - options.QpsWindow - TimeSpan.FromSeconds(1));
            await db.RequestCounts.Where(c => c.At < oldest).ExecuteDeleteAsync(ct);
        }
    }

    /// <summary>
    /// Requests per second over the window ending now. Counts are per second, so the second the window starts in counts
    /// for the part of it inside the window: without that the rate would saw-tooth at every second's turn.
    /// </summary>
    public async Task<double> RequestsPerSecondAsync(ControllerDb db, long serviceId, CancellationToken ct)
    {
        var start = time.GetUtcNow() - options.QpsWindow;
        var boundary = Second(start);
        var inside = 1 - (double)(start.UtcTicks - boundary.Ticks) / TimeSpan.TicksPerSecond;
        var total = await db.RequestCounts.Where(c => c.ServiceId == serviceId && c.At >= boundary)
            .SumAsync(c => c.At == boundary ? c.Requests * inside : c.Requests, ct);
        return total / options.QpsWindow.TotalSeconds;
    }

    /// <summary>Requests per second of every service with traffic in the window, in one grouped query (whole seconds: for views).</summary>
    public async Task<Dictionary<long, double>> RequestsPerSecondByServiceAsync(ControllerDb db, CancellationToken ct)
    {
        var boundary = Second(time.GetUtcNow() - options.QpsWindow);
        var totals = await db.RequestCounts.Where(c => c.At > boundary).GroupBy(c => c.ServiceId)
            .Select(g => new { ServiceId = g.Key, Requests = g.Sum(c => c.Requests) }).ToListAsync(ct);
        return totals.ToDictionary(t => t.ServiceId, t => t.Requests / options.QpsWindow.TotalSeconds);
    }

    private static DateTime Second(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
}
