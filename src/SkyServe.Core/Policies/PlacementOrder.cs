namespace SkyServe.Core.Policies;

/// <summary>Cheapest-first choice among placement options, with a fixed tie-break so every decision is repeatable.</summary>
internal static class PlacementOrder
{
    public static PlacementOption? Cheapest(IEnumerable<PlacementOption> options, Func<PlacementOption, decimal> price) =>
        options
            .OrderBy(price)
            .ThenBy(option => option.Location.ToString(), StringComparer.Ordinal)
            .ThenBy(option => option.InstanceType, StringComparer.Ordinal)
            .FirstOrDefault();
}
