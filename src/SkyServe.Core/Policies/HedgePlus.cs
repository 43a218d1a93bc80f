using SkyServe.Core.Spec;

namespace SkyServe.Core.Policies;

/// <summary>
/// This project's spot placer, <c>spot_placer: hedge_plus</c>: SpotHedge's location states and on-demand fallback, with
/// the hedge sized from recent volatility, spot replicas placed (and removed) so that a single location's failure hurts
/// least, and an on-demand cover while a capacity-limited location is shedding replicas. Evaluated against
/// SpotHedge with <c>skyserve sim</c> (README, Evaluation); the constants below are the same for every market.
/// </summary>
/// <remarks>
/// Everything is read from SpotHedge's location states (a location's last preemption, <see cref="LocationState.LastPreemptedAt"/>)
/// and the service's replicas (where they run, since when); refused launches are not failures here, since a service that
/// asks for more than a location holds would otherwise keep refreshing its own alarm.
/// <list type="bullet">
/// <item><b>Hedge from volatility.</b> The spec's <c>num_overprovision</c> (N_extra) is the hedge while the market is
/// volatile (some location preempted a replica within <see cref="VolatilityWindow"/>), while a location holding replicas is
/// <i>tight</i>, or until the fleet has watched the market for a whole window; otherwise the hedge is one replica smaller
/// (never below 0). A spare replica costs all the time but earns its keep only around preemptions, and preemptions come
/// in bursts.</item>
/// <item><b>Tight locations.</b> A location is tight when one of the service's replicas there is older than the
/// location's last preemption: it survived a partial loss, so the location runs at its capacity limit and may shed
/// replicas again without losing all of them.</item>
/// <item><b>Placement by exposure.</b> A location is <i>exposed</i> when losing all of its spot replicas would leave
/// fewer than N_tar. Each new replica goes to the ACTIVE location that keeps the summed hazard of the exposed locations
/// smallest, then to the one holding the fewest replicas, then the lower hazard, then the cheaper price. A location's
/// hazard is 1, plus 1 if it preempted a replica within <see cref="HazardWindow"/>. Exposure is judged against the whole fleet
/// being filled: 3 + 1 replicas over three zones end 2-1-1 as with SpotHedge; over two they end 3-1, where SpotHedge's
/// random pick gives 2-2 (both zones exposed) half the time; without a hedge (N_tar replicas, calm) every occupied
/// location is exposed, so the replicas share one location: fewer ways to fail. When the hedge shrinks, the replica
/// whose removal leaves the least exposure goes (3-1 becomes 3-0, not 2-1).</item>
/// <item><b>On-demand.</b> SpotHedge's fallback over this spot target, plus a cover: while the location holding the
/// most READY spot replicas is tight and preempted within <see cref="CoverWindow"/>, enough on-demand replicas run that
/// losing the rest of that location would still leave N_tar READY (a location that just shed part of its capacity
/// often sheds more; its replicas' replacements could not be READY in time).</item>
/// </list>
/// Location states move by SpotHedge's own transitions, so both placers learn the same things.
/// </remarks>
public static class HedgePlus
{
    /// <summary>How long after a preemption anywhere the market counts as volatile.</summary>
    public static readonly TimeSpan VolatilityWindow = TimeSpan.FromHours(4);

    /// <summary>How long a preemption raises its location's hazard.</summary>
    public static readonly TimeSpan HazardWindow = TimeSpan.FromHours(24);

    /// <summary>How long after a tight location's preemption the on-demand cover stays.</summary>
    public static readonly TimeSpan CoverWindow = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Spot and on-demand targets: <see cref="SpotHedge.Targets"/> with the hedge from <see cref="Overprovision"/>, then
    /// the on-demand cover.
    /// </summary>
    /// <param name="spotFleet">The current version's alive spot replicas.</param>
    public static (int Spot, int OnDemand) Targets(
        int targetReplicas,
        ReplicaPolicySpec policy,
        bool useSpot,
        IReadOnlyList<ReplicaSnapshot> spotFleet,
        IReadOnlyList<LocationState> states,
        DateTimeOffset now)
    {
        var readySpot = spotFleet.Count(replica => replica.IsReady);
        var hedge = Overprovision(policy, spotFleet, states, now);
        var (spot, onDemand) = SpotHedge.Targets(targetReplicas, policy with { NumOverprovision = hedge }, useSpot, readySpot);
        if (!useSpot || !policy.DynamicOndemandFallback)
            return (spot, onDemand);

        var largest = spotFleet.Where(replica => replica.IsReady).GroupBy(replica => replica.Location)
            .OrderByDescending(group => group.Count())
            .ThenBy(group => group.Key.ToString(), StringComparer.Ordinal)
            .FirstOrDefault();
        if (largest is not null && IsTight(largest.Key, spotFleet, states) && PreemptedWithin(states, largest.Key, now, CoverWindow))
            onDemand = Math.Max(onDemand, Math.Min(targetReplicas, Math.Max(0, targetReplicas - (readySpot - largest.Count()))));
        return (spot, onDemand);
    }

    /// <summary>
    /// The hedge in force: <c>num_overprovision</c> while volatile, while a held location is tight or until the fleet has
    /// watched the market for a <see cref="VolatilityWindow"/>; one less (at least 0) otherwise.
    /// </summary>
    public static int Overprovision(ReplicaPolicySpec policy, IReadOnlyList<ReplicaSnapshot> spotFleet, IReadOnlyList<LocationState> states, DateTimeOffset now)
    {
        var calm = HasWatchedTheMarket(spotFleet, now) && !IsVolatile(states, now)
            && !spotFleet.Select(replica => replica.Location).Distinct().Any(location => IsTight(location, spotFleet, states));
        return calm ? Math.Max(0, policy.NumOverprovision - 1) : policy.NumOverprovision;
    }

    /// <summary>
    /// The fleet's oldest spot replica has lived through a whole <see cref="VolatilityWindow"/>: only then does a quiet
    /// window mean a calm market rather than one the service has not watched yet (a new service, or one whose spot
    /// replicas were all just replaced, keeps the full hedge).
    /// </summary>
    public static bool HasWatchedTheMarket(IReadOnlyList<ReplicaSnapshot> spotFleet, DateTimeOffset now) =>
        spotFleet.Count > 0 && now - spotFleet.Min(replica => replica.CreatedAt) >= VolatilityWindow;

    /// <summary>Some location preempted a replica within <see cref="VolatilityWindow"/> before <paramref name="now"/>.</summary>
    public static bool IsVolatile(IReadOnlyList<LocationState> states, DateTimeOffset now) =>
        states.Any(state => state.LastPreemptedAt is { } at && now - at <= VolatilityWindow);

    /// <summary>One of the fleet's replicas in <paramref name="location"/> is older than the location's last preemption.</summary>
    public static bool IsTight(Location location, IReadOnlyList<ReplicaSnapshot> spotFleet, IReadOnlyList<LocationState> states) =>
        LastPreemption(states, location) is { } failed && spotFleet.Any(replica => replica.Location == location && replica.CreatedAt < failed);

    /// <summary>1, plus 1 when the location preempted a replica within <see cref="HazardWindow"/>.</summary>
    public static int Hazard(IReadOnlyList<LocationState> states, Location location, DateTimeOffset now) =>
        PreemptedWithin(states, location, now, HazardWindow) ? 2 : 1;

    /// <summary>
    /// Where the next spot replica goes: among ACTIVE locations with an available spot offering, of the best preference
    /// rank among them (<see cref="PlacementOption.Rank"/>), the one with the
    /// smallest exposed hazard after the launch (judged against <paramref name="fleetSize"/>), then the fewest spot replicas there, then the lower hazard, then the
    /// cheapest (ties: <paramref name="tieBreak"/>, else the location that sorts first). Null when none is ACTIVE.
    /// </summary>
    /// <param name="spotReplicas">The location of every alive spot replica, launches already decided included (one entry per replica).</param>
    /// <param name="targetReplicas">N_tar: the READY replicas the service needs.</param>
    /// <param name="fleetSize">The spot target being filled: exposure is judged against the whole fleet it will make, so
    /// that filling 4 over three zones spreads 1-1-1 first and ends 2-1-1; null: the replicas placed so far plus this one.</param>
    public static PlacementOption? ChooseSpot(
        IReadOnlyList<PlacementOption> options,
        IReadOnlyList<LocationState> states,
        IReadOnlyList<Location> spotReplicas,
        int targetReplicas,
        DateTimeOffset now,
        PlacementTieBreak? tieBreak = null,
        int ordinal = 0,
        int? fleetSize = null)
    {
        var active = PlacementOrder.BestRanked(options
            .Where(option => option is { SpotPrice: not null, SpotAvailable: true } && SpotHedge.IsActive(states, option.Location)));
        if (active.Count == 0)
            return null;

        var held = Counts(spotReplicas);
        var ordered = active
            .OrderBy(option => ExposedHazard(Changed(held, option.Location, +1), targetReplicas, states, now, fleetSize is { } size ? Math.Max(size, spotReplicas.Count + 1) : null))
            .ThenBy(option => held.GetValueOrDefault(option.Location))
            .ThenBy(option => Hazard(states, option.Location, now))
            .ThenBy(option => option.SpotPrice!.Value);
        var withTies = tieBreak is null
            ? ordered.ThenBy(option => option.Location.ToString(), StringComparer.Ordinal)
            : ordered.ThenBy(option => tieBreak.Key(option.Location, now, ordinal)).ThenBy(option => option.Location.ToString(), StringComparer.Ordinal);
        return withTies.ThenBy(option => option.InstanceType, StringComparer.Ordinal).First();
    }

    /// <summary>
    /// Which spot replicas go when the hedge shrinks, one at a time: from the location whose loss of one replica leaves
    /// the least exposed hazard (then the one holding fewer), in <see cref="ScaleDownOrder"/> within it.
    /// </summary>
    public static IReadOnlyList<ReplicaSnapshot> ScaleDown(
        IReadOnlyList<ReplicaSnapshot> alive, int count, int currentVersion, IReadOnlyList<LocationState> states, int targetReplicas, DateTimeOffset now)
    {
        var remaining = alive.Where(ScaleDownOrder.CanBeTerminated).ToList();
        var picked = new List<ReplicaSnapshot>();
        while (picked.Count < count && remaining.Count > 0)
        {
            var held = Counts(remaining.Select(replica => replica.Location));
            var from = held.Keys
                .OrderBy(location => ExposedHazard(Changed(held, location, -1), targetReplicas, states, now))
                .ThenBy(location => held[location])
                .ThenBy(location => location.ToString(), StringComparer.Ordinal)
                .First();
            var replica = ScaleDownOrder.Pick(remaining.Where(replica => replica.Location == from), 1, currentVersion)[0];
            picked.Add(replica);
            remaining.Remove(replica);
        }
        return picked;
    }

    /// <summary>The summed hazard of the locations whose total loss would leave fewer than N_tar replicas.</summary>
    private static int ExposedHazard(IReadOnlyDictionary<Location, int> held, int targetReplicas, IReadOnlyList<LocationState> states, DateTimeOffset now, int? fleet = null)
    {
        var total = fleet ?? held.Values.Sum();
        return held.Where(pair => pair.Value > 0 && total - pair.Value < targetReplicas).Sum(pair => Hazard(states, pair.Key, now));
    }

    private static Dictionary<Location, int> Counts(IEnumerable<Location> locations)
    {
        var counts = new Dictionary<Location, int>();
        foreach (var location in locations)
            counts[location] = counts.GetValueOrDefault(location) + 1;
        return counts;
    }

    private static Dictionary<Location, int> Changed(IReadOnlyDictionary<Location, int> held, Location location, int delta)
    {
        var changed = new Dictionary<Location, int>(held);
        changed[location] = changed.GetValueOrDefault(location) + delta;
        return changed;
    }

    private static DateTimeOffset? LastPreemption(IReadOnlyList<LocationState> states, Location location) =>
        states.FirstOrDefault(state => state.Location == location)?.LastPreemptedAt;

    private static bool PreemptedWithin(IReadOnlyList<LocationState> states, Location location, DateTimeOffset now, TimeSpan window) =>
        LastPreemption(states, location) is { } at && now - at <= window;
}
