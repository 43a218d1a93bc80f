namespace SkyServe.Providers.Local;

/// <summary>A simulated zone: where it is, and how much spot capacity it has over time.</summary>
public sealed record LocalZone(string Cloud, string Region, string Zone, ISpotCapacity SpotCapacity)
{
    public bool Contains(OfferingKey offering) => offering.Cloud == Cloud && offering.Region == Region && offering.Zone == Zone;

    public override string ToString() => $"{Cloud}/{Region}/{Zone}";
}
