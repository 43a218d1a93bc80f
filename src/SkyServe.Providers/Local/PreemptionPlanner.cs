namespace SkyServe.Providers.Local;

/// <summary>
/// Which spot machines of a zone the market reclaims when capacity falls below what runs there:
/// the newest first (last in, first out), so that long-lived replicas are disturbed least and the
/// answer is deterministic. Machines already under notice are leaving anyway and are not counted.
/// </summary>
public static class PreemptionPlanner
{
    public static IReadOnlyList<string> Plan(IReadOnlyList<(string Id, DateTimeOffset LaunchedAt)> liveSpotMachines, int capacity)
    {
        var surplus = liveSpotMachines.Count - Math.Max(0, capacity);
        if (surplus <= 0)
            return [];
        return liveSpotMachines.OrderByDescending(m => m.LaunchedAt).ThenByDescending(m => m.Id, StringComparer.Ordinal)
            .Take(surplus).Select(m => m.Id).ToList();
    }
}
