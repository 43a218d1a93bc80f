using System.Collections.Concurrent;

namespace SkyServe.LoadBalancer.Forwarding;

/// <summary>Replicas that just failed an attempt are skipped for a cool-down, before the controller has even heard of it.</summary>
public sealed class PassiveHealth(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> failedUntil = new();

    public void MarkFailed(string url, TimeSpan cooldown) => failedUntil[url] = time.GetUtcNow() + cooldown;

    public bool IsHealthy(string url) => !failedUntil.TryGetValue(url, out var until) || time.GetUtcNow() >= until;
}
