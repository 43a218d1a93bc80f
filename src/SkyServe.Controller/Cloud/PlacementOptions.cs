using SkyServe.Core.Catalog;
using SkyServe.Core.Placement;
using SkyServe.Core.Policies;
using SkyServe.Core.Spec;
using SkyServe.Providers;

namespace SkyServe.Controller.Cloud;

/// <summary>
/// Where a spec can run: its resources resolved against what the provider offers, with prices, availability and each
/// offering's place in the spec's order of preference.
/// </summary>
public static class PlacementOptions
{
    public static (IReadOnlyList<PlacementOption> Options, string? Error) For(ServiceSpec spec, IReadOnlyList<CloudOffering> offerings)
    {
        var catalog = new CloudCatalog(offerings.Select(o => o.Instance).Distinct());
        var resolved = ResourceResolver.Resolve(spec.Resources, catalog);
        if (!resolved.Found)
            return ([], resolved.Error);
        var spotByKey = offerings.Where(o => o.Spot).ToDictionary(o => Key(o.Instance));
        var onDemandByKey = offerings.Where(o => !o.Spot).ToDictionary(o => Key(o.Instance));
        var options = resolved.Offerings.Select(instance =>
        {
            spotByKey.TryGetValue(Key(instance), out var spot);
            return new PlacementOption(
                new Location(instance.Cloud, instance.Region, instance.Zone), instance.InstanceType, instance.AcceleratorName,
                instance.OnDemandPerHour, spot?.PricePerHour, spot?.Available ?? false,
                Rank: PreferenceRank.Of(spec.Resources, instance),
                OnDemandAvailable: !onDemandByKey.TryGetValue(Key(instance), out var onDemand) || onDemand.Available);
        }).ToList();
        return (options, null);
    }

    public static OfferingKey ToOfferingKey(this PlacementOption option, bool spot) =>
        new(option.Location.Cloud, option.Location.Region, option.Location.Zone, option.InstanceType, spot);

    private static (string, string, string, string) Key(InstanceOffering o) => (o.Cloud, o.Region, o.Zone, o.InstanceType);
}
