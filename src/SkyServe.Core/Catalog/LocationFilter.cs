namespace SkyServe.Core.Catalog;

/// <summary>
/// One candidate location of a request (SkyPilot's <c>infra: cloud/region/zone</c>); a null region or zone
/// means any. Names compare case-insensitively.
/// </summary>
public sealed record LocationFilter(string Cloud, string? Region = null, string? Zone = null)
{
    public bool Matches(InstanceOffering offering) =>
        string.Equals(Cloud, offering.Cloud, StringComparison.OrdinalIgnoreCase)
        && (Region is null || string.Equals(Region, offering.Region, StringComparison.OrdinalIgnoreCase))
        && (Zone is null || string.Equals(Zone, offering.Zone, StringComparison.OrdinalIgnoreCase));

    public override string ToString() =>
        Zone is not null ? $"{Cloud}/{Region ?? "*"}/{Zone}" : Region is not null ? $"{Cloud}/{Region}" : Cloud;
}
