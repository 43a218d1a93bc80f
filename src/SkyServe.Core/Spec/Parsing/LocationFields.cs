namespace SkyServe.Core.Spec.Parsing;

/// <summary>
/// The location keys of one resources mapping (top level or an <c>any_of</c>/<c>ordered</c> item), before
/// they are merged into a <see cref="CloudLocation"/>. Null means "not given here".
/// </summary>
internal sealed record LocationFields(string? Cloud, string? Region, string? Zone, bool FromInfra)
{
    public static LocationFields None { get; } = new(null, null, null, false);

    public bool IsEmpty => Cloud is null && Region is null && Zone is null;

    /// <summary>
    /// Lays these fields over <paramref name="baseFields"/> (an item over the top level), as SkyPilot overrides
    /// resources with each any_of item. An <c>infra</c> string replaces all three; a different cloud drops the
    /// base region and zone, and a different region drops the base zone, so no location mixes two places.
    /// </summary>
    public LocationFields Over(LocationFields baseFields)
    {
        if (FromInfra)
            return this;
        if (IsEmpty)
            return baseFields;
        var cloud = Cloud ?? baseFields.Cloud;
        var sameCloud = Cloud is null || Cloud == baseFields.Cloud;
        var region = Region ?? (sameCloud ? baseFields.Region : null);
        var sameRegion = sameCloud && (Region is null || Region == baseFields.Region);
        var zone = Zone ?? (sameRegion ? baseFields.Zone : null);
        return new LocationFields(cloud, region, zone, false);
    }
}
