namespace SkyServe.Core.Catalog;

/// <summary>Orderings of offerings; ties break on location and name so that results never depend on input order.</summary>
internal static class OfferingOrder
{
    public static int ByLocation(InstanceOffering x, InstanceOffering y)
    {
        var result = string.CompareOrdinal(x.Cloud, y.Cloud);
        if (result == 0) result = string.CompareOrdinal(x.Region, y.Region);
        if (result == 0) result = string.CompareOrdinal(x.Zone, y.Zone);
        if (result == 0) result = string.CompareOrdinal(x.InstanceType, y.InstanceType);
        return result;
    }

    /// <summary>Cheapest first for the given market; offerings without a price in it sort last.</summary>
    public static Comparison<InstanceOffering> Cheapest(bool useSpot) => (x, y) =>
    {
        var (px, py) = (x.PricePerHour(useSpot), y.PricePerHour(useSpot));
        var result = (px, py) switch
        {
            (null, null) => 0,
            (null, _) => 1,
            (_, null) => -1,
            _ => px.Value.CompareTo(py.Value),
        };
        return result != 0 ? result : ByLocation(x, y);
    };
}
