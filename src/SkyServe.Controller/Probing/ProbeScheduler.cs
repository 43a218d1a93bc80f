using System.Collections.Concurrent;
using SkyServe.Controller.Metrics;
using SkyServe.Controller.Reconcile;
using SkyServe.Core.Spec;

namespace SkyServe.Controller.Probing;

/// <summary>
/// Probes every tracked replica on its own schedule, outside the reconcile of its service, with bounded concurrency over
/// the whole fleet. The latest reading of each replica stays in memory; only a change (the first reading, ready ↔ not
/// ready, a notice the agent reports) enqueues the service, whose reconcile then writes the transition.
/// Only the leader probes: the reconciler tells it which replicas to watch (<see cref="Track"/>).
/// </summary>
public sealed partial class ProbeScheduler(ReadinessProber prober, ReconcileSignal signal, ReconcileOptions options, ControllerMetrics metrics, TimeProvider time,
    ILogger<ProbeScheduler> log) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<long, ProbedReplica> replicas = new();
    private readonly ConcurrentDictionary<long, HashSet<long>> byService = new();
    private readonly SemaphoreSlim slots = new(options.MaxConcurrentProbes);
    private readonly CancellationTokenSource stopping = new();

    /// <summary>The latest reading of a replica row, or null before its first probe.</summary>
    public ProbeReading? Latest(long replicaRow) => replicas.TryGetValue(replicaRow, out var r) ? r.Reading : null;

    /// <summary>Makes <paramref name="targets"/> the replicas of the service that are probed: new ones start, missing ones stop.</summary>
    public void Track(long serviceId, IReadOnlyCollection<ProbeTarget> targets)
    {
        var wanted = targets.Select(t => t.ReplicaRow).ToHashSet();
        var previous = byService.GetValueOrDefault(serviceId) ?? [];
        foreach (var row in previous.Where(r => !wanted.Contains(r)))
            Stop(row);
        foreach (var target in targets)
        {
            if (replicas.TryGetValue(target.ReplicaRow, out var existing))
            {
                if (existing.Target == target)
                    continue;
                Stop(target.ReplicaRow); // moved or re-specified: start over
            }
            var replica = new ProbedReplica(target, CancellationTokenSource.CreateLinkedTokenSource(stopping.Token));
            replicas[target.ReplicaRow] = replica;
            _ = RunAsync(replica);
        }
        if (wanted.Count == 0)
            byService.TryRemove(serviceId, out _);
        else
            byService[serviceId] = wanted;
    }

    /// <summary>Stops every probe (leadership lost: the next leader probes afresh).</summary>
    public void Clear()
    {
        foreach (var row in replicas.Keys)
            Stop(row);
        byService.Clear();
    }

    private void Stop(long row)
    {
        if (replicas.TryRemove(row, out var replica))
        {
            replica.Cancel.Cancel();
            replica.Cancel.Dispose();
        }
    }

    private async Task RunAsync(ProbedReplica replica)
    {
        var ct = replica.Cancel.Token;
        var interval = options.EffectiveProbeInterval;
        try
        {
            // Spread the fleet's probes over the interval instead of firing them together.
            await Task.Delay(interval * Random.Shared.NextDouble(), time, ct);
            while (!ct.IsCancellationRequested)
            {
                var started = time.GetTimestamp();
                await slots.WaitAsync(ct);
                ProbeReading reading;
                try
                {
                    reading = await ProbeAsync(replica.Target, ct);
                }
                finally
                {
                    slots.Release();
                }
                var previous = replica.Reading;
                replica.Reading = reading;
                if (previous is null || previous.Ok != reading.Ok || previous.NoticeDeadline != reading.NoticeDeadline)
                    signal.WakeHere(replica.Target.ServiceId);
                var wait = interval - time.GetElapsedTime(started);
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait, time, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            ProbeLoopFailed(log, e, replica.Target.ReplicaRow); // a bug: the replica is probed again when next tracked
            replicas.TryRemove(new KeyValuePair<long, ProbedReplica>(replica.Target.ReplicaRow, replica));
        }
    }

    private async Task<ProbeReading> ProbeAsync(ProbeTarget target, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var result = await prober.ProbeAsync(target.Endpoint, target.Probe, ct);
        metrics.Probed(time.GetElapsedTime(started), result.Ok);
        if (result.Ok)
            return new ProbeReading(true, null, null, time.GetUtcNow());
        // A failing replica may be failing because its machine is being reclaimed: its agent says so on /health.
        var interruption = await prober.InterruptionAsync(target.Endpoint, ct);
        return new ProbeReading(false, result.Failure, interruption?.Deadline, time.GetUtcNow());
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        Clear();
        stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "probing replica row {Row} failed")]
    private static partial void ProbeLoopFailed(ILogger log, Exception exception, long row);

    private sealed class ProbedReplica(ProbeTarget target, CancellationTokenSource cancel)
    {
        public ProbeTarget Target { get; } = target;
        public CancellationTokenSource Cancel { get; } = cancel;
        public volatile ProbeReading? Reading;
    }
}

/// <summary>A replica to probe: its row, service, endpoint and its version's readiness probe.</summary>
public sealed record ProbeTarget(long ServiceId, long ReplicaRow, string Endpoint, ReadinessProbeSpec Probe);

/// <summary>What the latest probe of a replica found; <paramref name="NoticeDeadline"/> when its agent reports an interruption.</summary>
public sealed record ProbeReading(bool Ok, string? Failure, DateTimeOffset? NoticeDeadline, DateTimeOffset At);
