namespace SkyServe.Core.Policies;

/// <summary>
/// Cheapest-first choice among placement options, within the best preference rank on offer. Ties go to the location
/// that sorts first, then the instance type, so every decision is repeatable; with a <see cref="PlacementTieBreak"/>,
/// ties in price go to its seeded order instead.
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
        var byPrice = BestRanked(options).OrderBy(price);
        var ordered = tieBreak is null
            ? byPrice.ThenBy(option => option.Location.ToString(), StringComparer.Ordinal)
            : byPrice.ThenBy(option => tieBreak.Key(option.Location, now, ordinal)).ThenBy(option => option.Location.ToString(), StringComparer.Ordinal);
        return ordered.ThenBy(option => option.InstanceType, StringComparer.Ordinal).FirstOrDefault();
    }

    /// <summary>
    /// The options of the best (lowest) preference rank among them: SkyPilot tries <c>ordered</c> candidates in turn,
    /// a later one only when every earlier one is unavailable, so callers pass only the options they could launch.
    /// </summary>
    public static IReadOnlyList<PlacementOption> BestRanked(IEnumerable<PlacementOption> options)
    {
        var list = options as IReadOnlyList<PlacementOption> ?? options.ToList();
        if (list.Count == 0)
            return list;
        var best = list.Min(option => option.Rank);
        return list.Where(option => option.Rank == best).ToList();
    }
}
