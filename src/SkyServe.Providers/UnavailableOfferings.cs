using System.Collections.Concurrent;

namespace SkyServe.Providers;

/// <summary>
/// Offerings recently refused for capacity. Placement filters them out until the entry expires, so a
/// dry zone is not hammered with launches (Karpenter's unavailable-offerings cache).
/// </summary>
public sealed class UnavailableOfferings(TimeProvider time, TimeSpan ttl)
{
    private readonly ConcurrentDictionary<OfferingKey, DateTimeOffset> until = new();

    public TimeSpan Ttl { get; } = ttl;

    public void MarkUnavailable(OfferingKey offering) => until[offering] = time.GetUtcNow() + Ttl;

    /// <summary>Each instance on demand, and on spot where it has a spot price, marked unavailable while shunned.</summary>
    public IReadOnlyList<CloudOffering> Offer(IEnumerable<Core.Catalog.InstanceOffering> instances)
    {
        var offerings = new List<CloudOffering>();
        foreach (var instance in instances)
            foreach (var spot in instance.HasSpot ? [false, true] : new[] { false })
            {
                var offering = new CloudOffering(instance, spot, instance.PricePerHour(spot)!.Value, Available: true);
                offerings.Add(offering with { Available = !IsUnavailable(offering.Key) });
            }
        return offerings;
    }

    public bool IsUnavailable(OfferingKey offering)
    {
        if (!until.TryGetValue(offering, out var expiry))
            return false;
        if (time.GetUtcNow() < expiry)
            return true;
        until.TryRemove(new KeyValuePair<OfferingKey, DateTimeOffset>(offering, expiry));
        return false;
    }
}
