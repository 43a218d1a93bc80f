namespace SkyServe.Controller.Reconcile;

/// <summary>
/// The services waiting to be reconciled, with the guarantees of Kubernetes controller-runtime's work queue: a service is
/// queued at most once however often it is added; a service being reconciled is never handed to a second worker, and one
/// added meanwhile is queued again when the first worker is done; delayed adds keep only the earliest due time.
/// </summary>
public sealed class ReconcileQueue(TimeProvider time)
{
    private readonly object gate = new();
    private readonly Queue<long> ready = new();
    private readonly HashSet<long> queued = [];
    private readonly HashSet<long> processing = [];
    private readonly HashSet<long> dirty = [];
    private readonly Dictionary<long, (DateTimeOffset Due, ITimer Timer)> delayed = [];
    private readonly SemaphoreSlim available = new(0);

    /// <summary>Services waiting now (not counting those delayed or being reconciled).</summary>
    public int Depth
    {
        get
        {
            lock (gate)
                return ready.Count;
        }
    }

    public void Add(long service)
    {
        lock (gate)
        {
            if (processing.Contains(service))
            {
                dirty.Add(service);
                return;
            }
            if (!queued.Add(service))
                return;
            ready.Enqueue(service);
        }
        available.Release();
    }

    public void AddRange(IEnumerable<long> services)
    {
        foreach (var service in services)
            Add(service);
    }

    /// <summary>Adds the service after <paramref name="delay"/>, unless it is already due sooner.</summary>
    public void AddAfter(long service, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(service);
            return;
        }
        var due = time.GetUtcNow() + delay;
        lock (gate)
        {
            if (delayed.TryGetValue(service, out var existing))
            {
                if (existing.Due <= due)
                    return;
                existing.Timer.Dispose();
            }
            var timer = time.CreateTimer(_ => Fire(service, due), null, delay, Timeout.InfiniteTimeSpan);
            delayed[service] = (due, timer);
        }
    }

    private void Fire(long service, DateTimeOffset due)
    {
        lock (gate)
        {
            if (!delayed.TryGetValue(service, out var entry) || entry.Due != due)
                return;
            delayed.Remove(service);
            entry.Timer.Dispose();
        }
        Add(service);
    }

    /// <summary>The next service to reconcile; the caller must call <see cref="Done"/> with it.</summary>
    public async Task<long> TakeAsync(CancellationToken ct)
    {
        while (true)
        {
            await available.WaitAsync(ct);
            lock (gate)
            {
                if (!ready.TryDequeue(out var service))
                    continue; // cleared meanwhile
                queued.Remove(service);
                processing.Add(service);
                return service;
            }
        }
    }

    public void Done(long service)
    {
        bool again;
        lock (gate)
        {
            processing.Remove(service);
            again = dirty.Remove(service);
        }
        if (again)
            Add(service);
    }

    /// <summary>Forgets everything waiting (leadership lost: the next leader starts with a full resync).</summary>
    public void Clear()
    {
        lock (gate)
        {
            ready.Clear();
            queued.Clear();
            dirty.Clear();
            foreach (var (_, entry) in delayed)
                entry.Timer.Dispose();
            delayed.Clear();
        }
    }
}
