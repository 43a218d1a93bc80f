namespace SkyServe.LoadBalancer.Stats;

/// <summary>Counters of one service, updated lock-free on the hot path.</summary>
public sealed class ServiceStats
{
    /// <summary>Upper bounds of the latency histogram, in seconds.</summary>
    public static readonly double[] Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private long requests;
    private long unreported;
    private long inFlight;
    private long retries;
    private long clientDisconnects;
    private long noReplica;
    private long resumed;
    private readonly long[] statusClasses = new long[6];
    private readonly long[] latencyCounts = new long[Buckets.Length + 1];
    private long latencyMicrosSum;

    public long Requests => Interlocked.Read(ref requests);
    public long InFlight => Interlocked.Read(ref inFlight);
    public long Retries => Interlocked.Read(ref retries);
    public long ClientDisconnects => Interlocked.Read(ref clientDisconnects);
    public long NoReplica => Interlocked.Read(ref noReplica);
    /// <summary>Completions continued on another replica after theirs was lost mid-answer (one per continuation).</summary>
    public long Resumptions => Interlocked.Read(ref resumed);
    public long StatusClass(int hundreds) => Interlocked.Read(ref statusClasses[hundreds]);
    public long LatencyCount(int bucket) => Interlocked.Read(ref latencyCounts[bucket]);
    public double LatencySumSeconds => Interlocked.Read(ref latencyMicrosSum) / 1e6;

    public void Started()
    {
        Interlocked.Increment(ref requests);
        Interlocked.Increment(ref unreported);
        Interlocked.Increment(ref inFlight);
    }

    public void Finished(int status, TimeSpan elapsed)
    {
        Interlocked.Decrement(ref inFlight);
        Interlocked.Increment(ref statusClasses[Math.Clamp(status / 100, 0, 5)]);
        var seconds = elapsed.TotalSeconds;
        var bucket = 0;
        while (bucket < Buckets.Length && seconds > Buckets[bucket])
            bucket++;
        Interlocked.Increment(ref latencyCounts[bucket]);
        Interlocked.Add(ref latencyMicrosSum, (long)(seconds * 1e6));
    }

    public void Disconnected()
    {
        Interlocked.Decrement(ref inFlight);
        Interlocked.Increment(ref clientDisconnects);
    }

    public void Retried() => Interlocked.Increment(ref retries);
    public void Resumed() => Interlocked.Increment(ref resumed);
    public void FoundNoReplica() => Interlocked.Increment(ref noReplica);

    /// <summary>Requests since the previous call: what the controller's autoscaler is told.</summary>
    public long TakeUnreported() => Interlocked.Exchange(ref unreported, 0);

    /// <summary>Gives back a count that could not be delivered, so it is sent next time.</summary>
    public void Restore(long count) => Interlocked.Add(ref unreported, count);
}
