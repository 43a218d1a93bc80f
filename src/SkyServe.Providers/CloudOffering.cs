using SkyServe.Core.Catalog;

namespace SkyServe.Providers;

/// <summary>One launchable thing: an instance type in a zone, on the spot or on-demand market, at a price.</summary>
public sealed record CloudOffering(InstanceOffering Instance, bool Spot, decimal PricePerHour, bool Available)
{
    public OfferingKey Key => new(Instance.Cloud, Instance.Region, Instance.Zone, Instance.InstanceType, Spot);
}
