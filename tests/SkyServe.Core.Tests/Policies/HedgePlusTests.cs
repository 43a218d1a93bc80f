using SkyServe.Core.Domain;
using SkyServe.Core.Policies;
using SkyServe.Core.Spec;
using static SkyServe.Core.Tests.Policies.PolicyTestData;

namespace SkyServe.Core.Tests.Policies;

/// <summary>
/// `spot_placer: hedge_plus` through the same <see cref="ServicePlanner"/> the controller's reconciler calls: the
/// placement follows hedge_plus's rules, while `dynamic_fallback` keeps SpotHedge's.
/// </summary>
public sealed class HedgePlusTests
{
    private static ServiceSpec HedgePlusService(int replicas = 3, int overprovision = 1) =>
        ServiceWith(SpotHedgePolicy(replicas, overprovision) with { SpotPlacer = SpotPlacer.HedgePlus }, useSpot: true);

    private static readonly ServiceSpec SpotHedgeService = ServiceWith(SpotHedgePolicy(3), useSpot: true);

    private static ReplicaSnapshot Spot(int id, Location at, ReplicaStatus status = ReplicaStatus.READY, DateTimeOffset? created = null) =>
        new(id, 1, status, true, at, "A10G", created ?? T0.AddHours(-10));

    private static LocationState FailedAt(Location location, DateTimeOffset at, LocationStatus status = LocationStatus.Active) =>
        new(location, status, 1, at);

    [Fact]
    public void A_new_service_keeps_the_spare_until_its_fleet_has_watched_a_calm_market()
    {
        // Nothing watched yet: a quiet market is not known to be calm, so the spare is there, spread as SpotHedge spreads it.
        var fresh = ServicePlanner.Plan(Snapshot(HedgePlusService(), []));
        Assert.Equal((4, 3), (fresh.SpotTarget, fresh.OnDemandTarget));
        Assert.Equal([ZoneA, ZoneB, ZoneC, ZoneA], fresh.Launches.Where(l => l.IsSpot).Select(l => l.Option.Location));

        // Three replicas in A, an hour old: still watching, so the spare goes where it adds no exposure (B).
        var young = ServicePlanner.Plan(Snapshot(HedgePlusService(),
            [Spot(1, ZoneA, created: T0.AddHours(-1)), Spot(2, ZoneA, created: T0.AddHours(-1)), Spot(3, ZoneA, created: T0.AddHours(-1))]));
        Assert.Equal(4, young.SpotTarget);
        Assert.Equal([ZoneB], young.Launches.Where(l => l.IsSpot).Select(l => l.Option.Location));
    }

    [Fact]
    public void A_calm_service_runs_no_spare_and_keeps_its_replicas_in_one_location()
    {
        // Ten quiet hours watched by the fleet: no spare, and the three replicas stay together in A.
        var plan = ServicePlanner.Plan(Snapshot(HedgePlusService(), [Spot(1, ZoneA), Spot(2, ZoneA), Spot(3, ZoneA)]));
        Assert.Equal((3, 0), (plan.SpotTarget, plan.OnDemandTarget));
        Assert.Empty(plan.Launches);
        Assert.Empty(plan.Terminations);

        // The same fleet under dynamic_fallback is SpotHedge: one spare, in a zone holding none.
        var spotHedge = ServicePlanner.Plan(Snapshot(SpotHedgeService, [Spot(1, ZoneA), Spot(2, ZoneA), Spot(3, ZoneA)]));
        Assert.Equal(4, spotHedge.SpotTarget);
        Assert.Equal([ZoneB], spotHedge.Launches.Where(l => l.IsSpot).Select(l => l.Option.Location));
    }

    [Fact]
    public void After_a_recent_failure_the_spare_is_back_and_placed_against_exposure()
    {
        // C failed an hour ago and is PREEMPTED: four replicas over A and B end 3-1 (only A exposed), never 2-2.
        IReadOnlyList<LocationState> states = [FailedAt(ZoneC, T0.AddHours(-1), LocationStatus.Preempted)];
        var plan = ServicePlanner.Plan(Snapshot(HedgePlusService(), [], states));
        Assert.Equal(4, plan.SpotTarget);
        Assert.Equal([ZoneA, ZoneB, ZoneA, ZoneA], plan.Launches.Where(l => l.IsSpot).Select(l => l.Option.Location));

        // With all three zones usable it spreads 1-1-1 first and ends 2-1-1, as SpotHedge does.
        IReadOnlyList<LocationState> recent = [FailedAt(ZoneD, T0.AddHours(-1))];
        var spread = ServicePlanner.Plan(Snapshot(HedgePlusService(), [], recent));
        Assert.Equal([ZoneA, ZoneB, ZoneC, ZoneA], spread.Launches.Where(l => l.IsSpot).Select(l => l.Option.Location));
    }

    [Fact]
    public void When_the_market_calms_down_the_spare_goes_where_it_leaves_the_least_exposure()
    {
        // 3 in A, 1 in B, no failure for 5 hours: the hedge shrinks to 0 and B's replica goes (3-0 exposes only A; 2-1 both).
        IReadOnlyList<LocationState> states = [FailedAt(ZoneC, T0.AddHours(-5))];
        var plan = ServicePlanner.Plan(Snapshot(HedgePlusService(),
            [Spot(1, ZoneA), Spot(2, ZoneA), Spot(3, ZoneA), Spot(4, ZoneB)], states));
        Assert.Equal(3, plan.SpotTarget);
        Assert.Equal([4], plan.Terminations.Select(t => t.ReplicaId));
        Assert.Empty(plan.Launches);
    }

    [Fact]
    public void A_location_that_shed_part_of_its_replicas_is_covered_with_on_demand_for_a_while()
    {
        // A lost one of its three replicas five minutes ago (the two older ones survived: A is tight, running at its
        // capacity). Losing the rest of A would leave 1 READY, so on-demand covers 3 - 1 = 2 (SpotHedge: 4 - 3 = 1).
        IReadOnlyList<LocationState> states = [FailedAt(ZoneA, T0.AddMinutes(-5))];
        IReadOnlyList<ReplicaSnapshot> replicas = [Spot(1, ZoneA), Spot(2, ZoneA), Spot(3, ZoneB)];
        var plan = ServicePlanner.Plan(Snapshot(HedgePlusService(), replicas, states));
        Assert.Equal((4, 2), (plan.SpotTarget, plan.OnDemandTarget));

        var spotHedge = ServicePlanner.Plan(Snapshot(SpotHedgeService, replicas, states));
        Assert.Equal((4, 1), (spotHedge.SpotTarget, spotHedge.OnDemandTarget));

        // Fifteen minutes after the failure the cover is gone; the hedge stays while A is tight.
        var later = Snapshot(HedgePlusService(), replicas, [FailedAt(ZoneA, T0.AddMinutes(-15))]);
        Assert.Equal((4, 1), (ServicePlanner.Plan(later).SpotTarget, ServicePlanner.Plan(later).OnDemandTarget));
    }

    [Fact]
    public void A_location_that_once_shed_part_of_its_replicas_keeps_the_hedge()
    {
        // No preemption for 5 hours anywhere, but A's last one took a replica while 1 and 2 (older) survived: A is tight.
        IReadOnlyList<LocationState> states = [FailedAt(ZoneA, T0.AddHours(-5))];
        var plan = ServicePlanner.Plan(Snapshot(HedgePlusService(), [Spot(1, ZoneA), Spot(2, ZoneA), Spot(3, ZoneB), Spot(4, ZoneC)], states));
        Assert.Equal(4, plan.SpotTarget);
        Assert.Empty(plan.Terminations);

        // Replicas launched after that preemption prove nothing: the market is calm, the spare goes.
        var fresh = ServicePlanner.Plan(Snapshot(HedgePlusService(),
            [Spot(1, ZoneA, created: T0.AddHours(-4)), Spot(2, ZoneA, created: T0.AddHours(-4)), Spot(3, ZoneB), Spot(4, ZoneC)], states));
        Assert.Equal(3, fresh.SpotTarget);
        Assert.Single(fresh.Terminations);
    }

    [Fact]
    public void Exposure_counts_recent_failures_as_a_higher_hazard()
    {
        // A and B both hold one; the third replica (fleet of 3, calm) must expose someone: the quieter location takes it.
        IReadOnlyList<LocationState> states = [FailedAt(ZoneA, T0.AddHours(-6)), FailedAt(ZoneB, T0.AddHours(-30))];
        var option = HedgePlus.ChooseSpot([OptionA, OptionB], states, [ZoneA, ZoneB], 3, T0, fleetSize: 3);
        Assert.Equal(OptionB, option);
        Assert.Equal(2, HedgePlus.Hazard(states, ZoneA, T0));
        Assert.Equal(1, HedgePlus.Hazard(states, ZoneB, T0));
    }

    [Fact]
    public void Without_an_active_location_nothing_is_placed()
    {
        IReadOnlyList<LocationState> states = [new(ZoneA, LocationStatus.Preempted), new(ZoneB, LocationStatus.Preempted)];
        Assert.Null(HedgePlus.ChooseSpot([OptionA, OptionB], states, [], 3, T0));
    }

    [Fact]
    public void A_refused_launch_is_not_a_preemption_for_hedge_plus()
    {
        // SpotHedge marks the location PREEMPTED (it gets no launch), but nothing dates it: the market stays calm.
        var states = SpotHedge.OnLaunchFailed([], [ZoneA, ZoneB, ZoneC], ZoneA);
        Assert.Equal(new LocationState(ZoneA, LocationStatus.Preempted), states[0]);
        Assert.False(HedgePlus.IsVolatile(states, T0));
    }
}
