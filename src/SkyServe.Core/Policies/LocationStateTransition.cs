namespace SkyServe.Core.Policies;

/// <summary>
/// Applies one change to the SpotHedge state of a location, then SpotHedge's reset rule: when fewer than the
/// threshold of locations are ACTIVE, every location becomes ACTIVE again (their preemption history is kept).
/// </summary>
internal static class LocationStateTransition
{
    /// <returns>
    /// One state per candidate (in candidate order), then the other locations already in <paramref name="states"/>
    /// (in their order), then <paramref name="location"/> if it was in neither.
    /// </returns>
    public static IReadOnlyList<LocationState> Apply(
        IReadOnlyList<LocationState> states,
        IReadOnlyCollection<Location> candidates,
        Location location,
        Func<LocationState, LocationState> change,
        int resetThreshold)
    {
        var known = new Dictionary<Location, LocationState>();
        foreach (var state in states)
            known.TryAdd(state.Location, state);

        var next = candidates
            .Concat(states.Select(state => state.Location))
            .Append(location)
            .Distinct()
            .Select(each => known.GetValueOrDefault(each) ?? LocationState.ActiveAt(each))
            .Select(state => state.Location == location ? change(state) : state)
            .ToList();

        if (next.Count(state => state.Status == LocationStatus.Active) < resetThreshold)
            return next.Select(state => state with { Status = LocationStatus.Active }).ToList();
        return next;
    }
}
