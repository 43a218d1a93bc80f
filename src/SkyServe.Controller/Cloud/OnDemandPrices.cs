using SkyServe.Providers;

namespace SkyServe.Controller.Cloud;

/// <summary>
/// The on-demand list price of each instance type in each region, from the provider's offerings (the catalog's dated
/// prices, or a cloud's price API where a provider refreshes them). It prices the on-demand counterfactual of a
/// replica: the same hours on the same instance type and region, bought on demand.
/// </summary>
public sealed class OnDemandPrices(ICloudProvider provider)
{
    private IReadOnlyDictionary<(string Cloud, string Region, string InstanceType), decimal>? prices;

    public async ValueTask<Func<string, string, string?, decimal?>> LookupAsync(CancellationToken ct)
    {
        var table = prices ??= (await provider.ListOfferingsAsync(ct))
            .GroupBy(o => (o.Instance.Cloud, o.Instance.Region, o.Instance.InstanceType))
            .ToDictionary(g => g.Key, g => g.Max(o => o.Instance.OnDemandPerHour));
        return (cloud, region, instanceType) =>
            instanceType is not null && table.TryGetValue((cloud, region, instanceType), out var price) ? price : null;
    }
}
