using SkyServe.Providers;

namespace SkyServe.Controller.Cloud;

/// <summary>
/// The provider's offerings (instance types, prices, availability), refreshed by the price job so that
/// a reconcile pass never waits on a cloud's price API. Availability flags are always read fresh.
/// </summary>
public sealed class OfferingCache(ICloudProvider provider)
{
    private IReadOnlyList<CloudOffering>? offerings;

    public async Task<IReadOnlyList<CloudOffering>> GetAsync(CancellationToken ct)
    {
        // Availability changes with every capacity refusal: the provider's list is in memory, so read it each time.
        offerings = await provider.ListOfferingsAsync(ct);
        return offerings;
    }

    public async Task RefreshAsync(CancellationToken ct) => offerings = await provider.ListOfferingsAsync(ct);

    public IReadOnlyList<CloudOffering> Last => offerings ?? [];
}
