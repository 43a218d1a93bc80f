using SkyServe.Providers;

namespace SkyServe.Controller.Cloud;

/// <summary>
/// The on-demand list price of each instance type in each region, and the spot price in each zone, from the provider's
/// offerings (the catalog's dated prices, or a cloud's price API where a provider refreshes them), read again every
/// <see cref="Refresh"/>. The on-demand price prices a replica's counterfactual: the same hours on the same instance type
/// and region, bought on demand.
/// </summary>
public sealed partial class OnDemandPrices(ICloudProvider provider, TimeProvider time, ILogger<OnDemandPrices> log)
{
    public static readonly TimeSpan Refresh = TimeSpan.FromMinutes(5);

    private Table? table;

    public async ValueTask<Func<string, string, string?, decimal?>> LookupAsync(CancellationToken ct)
    {
        var onDemand = (await TableAsync(ct)).OnDemand;
        return (cloud, region, instanceType) =>
            instanceType is not null && onDemand.TryGetValue((cloud, region, instanceType), out var price) ? price : null;
    }

    /// <summary>The spot price of an instance type in a zone, where it is sold as spot.</summary>
    public async ValueTask<Func<string, string, string, string?, decimal?>> SpotLookupAsync(CancellationToken ct)
    {
        var spot = (await TableAsync(ct)).Spot;
        return (cloud, region, zone, instanceType) =>
            instanceType is not null && spot.TryGetValue((cloud, region, zone, instanceType), out var price) ? price : null;
    }

    private async ValueTask<Table> TableAsync(CancellationToken ct)
    {
        if (table is { } t && time.GetElapsedTime(t.ReadAt) < Refresh)
            return t;
        IReadOnlyList<CloudOffering> offerings;
        try
        {
            offerings = await provider.ListOfferingsAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A view must not fail because a price list is away: keep the last prices (or none: counterfactuals then use
            // each replica's own price, claiming no saving) and try again at the next refresh.
            OfferingsUnavailable(log, e.Message);
            return table = (table ?? new Table([], [], 0)) with { ReadAt = time.GetTimestamp() };
        }
        return table = new Table(
            offerings.GroupBy(o => (o.Instance.Cloud, o.Instance.Region, o.Instance.InstanceType))
                .ToDictionary(g => g.Key, g => g.Max(o => o.Instance.OnDemandPerHour)),
            offerings.Where(o => o.Spot).GroupBy(o => (o.Instance.Cloud, o.Instance.Region, o.Instance.Zone, o.Instance.InstanceType))
                .ToDictionary(g => g.Key, g => g.Min(o => o.PricePerHour)),
            time.GetTimestamp());
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "reading the offerings' prices failed ({Error}); cost views use the last prices until the next refresh")]
    private static partial void OfferingsUnavailable(ILogger logger, string error);

    private sealed record Table(
        Dictionary<(string, string, string), decimal> OnDemand, Dictionary<(string, string, string, string), decimal> Spot, long ReadAt);
}
