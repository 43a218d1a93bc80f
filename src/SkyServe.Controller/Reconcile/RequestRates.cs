using System.Collections.Concurrent;

namespace SkyServe.Controller.Reconcile;

/// <summary>
/// Offered load per service over a sliding window (60 s by default), from the counts load balancers post. Counts are
/// kept per second, so several load balancers simply add up.
/// </summary>
public sealed class RequestRates(TimeProvider time, ReconcileOptions options)
{
    private TimeSpan Window => options.QpsWindow;
    private readonly ConcurrentDictionary<string, SortedDictionary<long, double>> perService = new();

    public void Record(string service, double requests, DateTimeOffset at)
    {
        var buckets = perService.GetOrAdd(service, _ => new SortedDictionary<long, double>());
        lock (buckets)
        {
            var second = at.ToUnixTimeSeconds();
            buckets[second] = buckets.GetValueOrDefault(second) + requests;
            Trim(buckets, time.GetUtcNow());
        }
    }

    public double RequestsPerSecond(string service)
    {
        if (!perService.TryGetValue(service, out var buckets))
            return 0;
        lock (buckets)
        {
            Trim(buckets, time.GetUtcNow());
            return buckets.Values.Sum() / Window.TotalSeconds;
        }
    }

    private void Trim(SortedDictionary<long, double> buckets, DateTimeOffset now)
    {
        var oldest = (now - Window).ToUnixTimeSeconds();
        foreach (var second in buckets.Keys.TakeWhile(s => s <= oldest).ToList())
            buckets.Remove(second);
    }
}
