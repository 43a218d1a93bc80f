namespace SkyServe.Core.Policies;

/// <summary>
/// Cheapest-first choice among placement options. Ties go to the location that sorts first, then the instance type,
/// so every decision is repeatable; with a <see cref="PlacementTieBreak"/>, ties in price go to its seeded order instead.
/// </summary>
internal static class PlacementOrder
{
    public static PlacementOption? Cheapest(
        IEnumerable<PlacementOption> options,
        Func<PlacementOption, decimal> price,
        PlacementTieBreak? tieBreak = null,
        DateTimeOffset now = default,
        int ordinal = 0)
    {
        var byPrice = options.OrderBy(price);
        var ordered = tieBreak is null
            ? byPrice.ThenBy(option => option.Location.ToString(), StringComparer.Ordinal)
            : byPrice.ThenBy(option => tieBreak.Key(option.Location, now, ordinal)).ThenBy(option => option.Location.ToString(), StringComparer.Ordinal);
        return ordered.ThenBy(option => option.InstanceType, StringComparer.Ordinal).FirstOrDefault();
    }
}
