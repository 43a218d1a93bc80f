using SkyServe.Core.Spec;

namespace SkyServe.Core.Policies;

/// <summary>
/// SpotHedge (SkyServe paper, Algorithm 1; SkyPilot's <c>dynamic_fallback</c> spot placer and fallback
/// autoscaler): how many spot and on-demand replicas to run, where the next spot replica goes, and how
/// locations move between ACTIVE and PREEMPTED.
/// </summary>
/// <remarks>
/// Choices where the design is silent: ties in price go to the location that sorts first
/// (<c>cloud/region/zone</c>, ordinal), then the instance type, unless a <see cref="PlacementTieBreak"/> is given
/// (the simulator's seeded random pick among equally cheap locations); a location with no state counts as ACTIVE;
/// when the states hold a location twice, its first state counts. <see cref="SpotPlacer.HedgePlus"/> has its own
/// targets and placement (<see cref="HedgePlus"/>) over the same location states.
/// </remarks>
public static class SpotHedge
{
    /// <summary>The paper's and SkyPilot's rule: fewer than two ACTIVE locations and all become ACTIVE again.</summary>
    public const int DefaultResetThreshold = 2;

    /// <summary>
    /// The SpotHedge artifact's rule: every location becomes ACTIVE again once at most <c>min(1, Z − 3)</c> of the
    /// <c>Z</c> locations are ACTIVE, i.e. fewer than <c>min(1, Z − 3) + 1</c>. With fewer than three locations that
    /// bound is negative (the artifact would never reset, and fail once no location is ACTIVE); here it is at least 1,
    /// so a service never runs out of ACTIVE locations.
    /// </summary>
    public static int ArtifactResetThreshold(int locations) => Math.Max(1, Math.Min(1, locations - 3) + 1);

    /// <summary>
    /// Spot target <c>N_tar + num_overprovision − base_ondemand</c> (at least 0); on-demand target
    /// <c>min(N_tar, base + max(0, spot − readySpot))</c> with dynamic fallback, else <c>base</c>. Without spot,
    /// every replica is on-demand: <c>(0, N_tar + num_overprovision)</c>.
    /// </summary>
    public static (int Spot, int OnDemand) Targets(int targetReplicas, ReplicaPolicySpec policy, bool useSpot, int readySpot)
    {
        if (!useSpot)
            return (0, targetReplicas + policy.NumOverprovision);
        var baseOnDemand = policy.BaseOndemandFallbackReplicas;
        var spot = Math.Max(0, targetReplicas + policy.NumOverprovision - baseOnDemand);
        var onDemand = policy.DynamicOndemandFallback
            ? Math.Min(targetReplicas, baseOnDemand + Math.Max(0, spot - readySpot))
            : baseOnDemand;
        return (spot, onDemand);
    }

    /// <summary>
    /// Where the next spot replica goes, among options with an available spot offering, of the best preference rank
    /// among them (<see cref="PlacementOption.Rank"/>). With a placer: the cheapest ACTIVE location of that rank hosting
    /// none of the service's spot replicas, else the cheapest ACTIVE one, else null. Without a placer (SkyPilot with no
    /// <c>spot_placer</c>): the cheapest spot option, no spreading.
    /// </summary>
    /// <param name="tieBreak">Orders equally cheap options; null: the location that sorts first.</param>
    /// <param name="now">With <paramref name="tieBreak"/>: the moment of the decision.</param>
    /// <param name="ordinal">With <paramref name="tieBreak"/>: which launch of this decision (0 for the first).</param>
    public static PlacementOption? ChooseSpot(
        IReadOnlyList<PlacementOption> options,
        IReadOnlyList<LocationState> states,
        IReadOnlyCollection<Location> usedBySpotReplicas,
        SpotPlacer? placer,
        PlacementTieBreak? tieBreak = null,
        DateTimeOffset now = default,
        int ordinal = 0)
    {
        var spotOptions = options.Where(option => option is { SpotPrice: not null, SpotAvailable: true }).ToList();
        if (placer is null)
            return CheapestSpot(spotOptions, tieBreak, now, ordinal);

        var active = PlacementOrder.BestRanked(spotOptions.Where(option => IsActive(states, option.Location)));
        var unused = active.Where(option => !usedBySpotReplicas.Contains(option.Location));
        return CheapestSpot(unused, tieBreak, now, ordinal) ?? CheapestSpot(active, tieBreak, now, ordinal);
    }

    /// <summary>
    /// The cheapest on-demand option of the best preference rank, among those the provider does not shun (all of them
    /// when it shuns every one: on-demand has nowhere else to go), or null when there is none.
    /// </summary>
    public static PlacementOption? ChooseOnDemand(IReadOnlyList<PlacementOption> options)
    {
        var available = options.Where(option => option.OnDemandAvailable).ToList();
        return PlacementOrder.Cheapest(available.Count > 0 ? available : options, option => option.OnDemandPrice);
    }

    /// <summary>A location is ACTIVE unless its (first) state says PREEMPTED; unknown locations are ACTIVE.</summary>
    public static bool IsActive(IReadOnlyList<LocationState> states, Location location) =>
        states.FirstOrDefault(state => state.Location == location)?.Status != LocationStatus.Preempted;

    /// <summary>A spot replica in <paramref name="location"/> was preempted (or is about to be): PREEMPTED, counted.</summary>
    public static IReadOnlyList<LocationState> OnPreempted(
        IReadOnlyList<LocationState> states,
        IReadOnlyCollection<Location> candidates,
        Location location,
        DateTimeOffset now,
        int resetThreshold = DefaultResetThreshold) =>
        LocationStateTransition.Apply(states, candidates, [(location, Change(LocationEvent.Preempted, now))], resetThreshold);

    /// <summary>A spot launch in <paramref name="location"/> was refused: PREEMPTED, but not counted as a preemption.</summary>
    public static IReadOnlyList<LocationState> OnLaunchFailed(
        IReadOnlyList<LocationState> states,
        IReadOnlyCollection<Location> candidates,
        Location location,
        int resetThreshold = DefaultResetThreshold) =>
        LocationStateTransition.Apply(states, candidates, [(location, Change(LocationEvent.LaunchFailed, null))], resetThreshold);

    /// <summary>A spot replica launched in <paramref name="location"/>: ACTIVE again.</summary>
    public static IReadOnlyList<LocationState> OnLaunched(
        IReadOnlyList<LocationState> states,
        IReadOnlyCollection<Location> candidates,
        Location location,
        int resetThreshold = DefaultResetThreshold) =>
        LocationStateTransition.Apply(states, candidates, [(location, Change(LocationEvent.Launched, null))], resetThreshold);

    /// <summary>
    /// Several observations of one moment at once (the simulator's tick): each changes its location as the single-event
    /// transitions above do, in order, and the reset rule is applied once, after all of them, as the paper's simulator does.
    /// </summary>
    public static IReadOnlyList<LocationState> Observe(
        IReadOnlyList<LocationState> states,
        IReadOnlyCollection<Location> candidates,
        IReadOnlyList<LocationObservation> observations,
        DateTimeOffset now,
        int resetThreshold = DefaultResetThreshold) =>
        LocationStateTransition.Apply(states, candidates,
            observations.Select(observation => (observation.Location, Change(observation.Event, now))).ToList(), resetThreshold);

    private static Func<LocationState, LocationState> Change(LocationEvent change, DateTimeOffset? now) => change switch
    {
        LocationEvent.Preempted => state => state with { Status = LocationStatus.Preempted, Preemptions = state.Preemptions + 1, LastPreemptedAt = now },
        LocationEvent.LaunchFailed => state => state with { Status = LocationStatus.Preempted },
        LocationEvent.Launched or LocationEvent.Held => state => state with { Status = LocationStatus.Active },
        _ => throw new ArgumentOutOfRangeException(nameof(change), change, null),
    };

    private static PlacementOption? CheapestSpot(IEnumerable<PlacementOption> options, PlacementTieBreak? tieBreak, DateTimeOffset now, int ordinal) =>
        PlacementOrder.Cheapest(options, option => option.SpotPrice ?? decimal.MaxValue, tieBreak, now, ordinal);
}
