using System.Collections.Concurrent;
using SkyServe.Core.Hosting;
using SkyServe.Core.Policies;

namespace SkyServe.Controller.Reconcile;

/// <summary>
/// What the reconcile loop remembers between passes and does not store: the autoscaler's pending change,
/// the versions that serve traffic, launch back-off. A restart starts these afresh, which is safe.
/// </summary>
public sealed class ServiceRuntimeState
{
    private readonly ConcurrentDictionary<long, AutoscalerState> autoscalers = new();
    private readonly ConcurrentDictionary<long, IReadOnlySet<int>> serving = new();
    private readonly ConcurrentDictionary<long, (int Failures, DateTimeOffset NotBefore)> backoff = new();

    public AutoscalerState? Autoscaler(long serviceId) => autoscalers.GetValueOrDefault(serviceId);
    public void SetAutoscaler(long serviceId, AutoscalerState state) => autoscalers[serviceId] = state;

    /// <summary>Versions that receive traffic, or null before the first pass of this controller.</summary>
    public IReadOnlySet<int>? ServingVersions(long serviceId) => serving.GetValueOrDefault(serviceId);
    public void SetServingVersions(long serviceId, IReadOnlySet<int> versions) => serving[serviceId] = versions;

    public bool MayLaunch(long serviceId, DateTimeOffset now) => !backoff.TryGetValue(serviceId, out var b) || now >= b.NotBefore;

    public void LaunchFailed(long serviceId, DateTimeOffset now, ReconcileOptions options)
    {
        var failures = backoff.GetValueOrDefault(serviceId).Failures + 1;
        var wait = new Backoff(options.LaunchBackoff, options.MaxLaunchBackoff).DelayAfter(failures);
        backoff[serviceId] = (failures, now + wait);
    }

    public void LaunchSucceeded(long serviceId) => backoff.TryRemove(serviceId, out _);

    public void Forget(long serviceId)
    {
        autoscalers.TryRemove(serviceId, out _);
        serving.TryRemove(serviceId, out _);
        backoff.TryRemove(serviceId, out _);
    }
}
