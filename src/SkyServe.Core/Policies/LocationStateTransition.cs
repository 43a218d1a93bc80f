namespace SkyServe.Core.Policies;

/// <summary>
/// Applies changes to the SpotHedge state of locations, then SpotHedge's reset rule once: when fewer than the
/// threshold of locations are ACTIVE, every location becomes ACTIVE again (their preemption history is kept).
/// </summary>
internal static class LocationStateTransition
{
    /// <returns>
    /// One state per candidate (in candidate order), then the other locations already in <paramref name="states"/>
    /// (in their order), then the changed locations that were in neither (in the order of their first change).
    /// </returns>
    public static IReadOnlyList<LocationState> Apply(
        IReadOnlyList<LocationState> states,
        IReadOnlyCollection<Location> candidates,
        IReadOnlyList<(Location Location, Func<LocationState, LocationState> Change)> changes,
        int resetThreshold)
    {
        var known = new Dictionary<Location, LocationState>();
        foreach (var state in states)
            known.TryAdd(state.Location, state);

        var order = candidates
            .Concat(states.Select(state => state.Location))
            .Concat(changes.Select(change => change.Location))
            .Distinct()
            .ToList();
        var next = order.ToDictionary(location => location, location => known.GetValueOrDefault(location) ?? LocationState.ActiveAt(location));
        foreach (var (location, change) in changes)
            next[location] = change(next[location]);

        var result = order.Select(location => next[location]).ToList();
        if (result.Count(state => state.Status == LocationStatus.Active) < resetThreshold)
            return result.Select(state => state with { Status = LocationStatus.Active }).ToList();
        return result;
    }
}
