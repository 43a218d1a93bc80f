using System.Collections.Concurrent;

namespace SkyServe.LoadBalancer.Stats;

public sealed class StatsRegistry
{
    private readonly ConcurrentDictionary<string, ServiceStats> services = new();

    public ServiceStats For(string service) => services.GetOrAdd(service, _ => new ServiceStats());

    public IEnumerable<KeyValuePair<string, ServiceStats>> All => services.OrderBy(s => s.Key, StringComparer.Ordinal);
}
