using SkyServe.Core.Catalog;

namespace SkyServe.Providers.Local;

/// <summary>The simulated clouds: their zones (with spot capacity) and the instance types offered in each, priced from the catalog.</summary>
public sealed record LocalMarket(IReadOnlyList<LocalZone> Zones, IReadOnlyList<InstanceOffering> Offerings)
{
    public LocalZone? ZoneOf(OfferingKey offering) => Zones.FirstOrDefault(z => z.Contains(offering));

    public InstanceOffering? Find(OfferingKey key) => Offerings.FirstOrDefault(o =>
        o.Cloud == key.Cloud && o.Region == key.Region && o.Zone == key.Zone && o.InstanceType == key.InstanceType);
}
