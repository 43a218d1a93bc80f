using SkyServe.Core.Domain;
using SkyServe.Core.Policies;
using SkyServe.Core.Spec;
using static SkyServe.Core.Tests.Policies.PolicyTestData;

namespace SkyServe.Core.Tests.Policies;

public sealed class ServicePlannerSpotHedgeTests
{
    private static readonly ServiceSpec ThreePlusOneSpot = ServiceWith(SpotHedgePolicy(3), useSpot: true);

    [Fact]
    public void A_fresh_service_spreads_spot_over_the_zones_and_falls_back_to_on_demand_meanwhile()
    {
        var plan = ServicePlanner.Plan(Snapshot(ThreePlusOneSpot, []));

        Assert.Equal((3, 4, 3), (plan.TargetReplicas, plan.SpotTarget, plan.OnDemandTarget));
        const string spot = "spot target 4, 0 alive";
        const string fallback = "on-demand fallback: 0 of 4 spot ready, on-demand target 3, 0 alive";
        Assert.Equal(
            [
                new LaunchDecision(1, true, OptionA, spot),
                new LaunchDecision(1, true, OptionB, spot),
                new LaunchDecision(1, true, OptionC, spot),
                new LaunchDecision(1, true, OptionA, spot),
                new LaunchDecision(1, false, OptionA, fallback),
                new LaunchDecision(1, false, OptionA, fallback),
                new LaunchDecision(1, false, OptionA, fallback),
            ],
            plan.Launches);
        Assert.Empty(plan.Terminations);
        Assert.Equal([1], plan.ServingVersions);
    }

    [Fact]
    public void A_steady_service_needs_no_decision()
    {
        var plan = ServicePlanner.Plan(Snapshot(ThreePlusOneSpot,
        [
            Replica(1, ReplicaStatus.READY, at: ZoneA),
            Replica(2, ReplicaStatus.READY, at: ZoneB),
            Replica(3, ReplicaStatus.READY, at: ZoneC),
            Replica(4, ReplicaStatus.READY, at: ZoneA),
        ]));

        Assert.Equal((3, 4, 0), (plan.TargetReplicas, plan.SpotTarget, plan.OnDemandTarget));
        Assert.Empty(plan.Launches);
        Assert.Empty(plan.Terminations);
        Assert.Equal(AutoscalerState.Initial(3), plan.Autoscaler);
        Assert.Equal([1], plan.ServingVersions);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_notice_launches_the_replacement_elsewhere_at_once_with_on_demand_cover(bool zoneAlreadyMarked)
    {
        var spec = ServiceWith(SpotHedgePolicy(2), useSpot: true);
        IReadOnlyList<LocationState> locations = zoneAlreadyMarked ? [new LocationState(ZoneB, LocationStatus.Preempted, 1, T0)] : [];
        var plan = ServicePlanner.Plan(Snapshot(spec,
            [
                Replica(1, ReplicaStatus.READY, at: ZoneA),
                Replica(2, ReplicaStatus.READY, at: ZoneB, notice: T0.AddMinutes(2)),
                Replica(3, ReplicaStatus.READY, at: ZoneC),
            ],
            locations,
            options: [OptionA, OptionB, OptionC, OptionD]));

        Assert.Equal((2, 3, 1), (plan.TargetReplicas, plan.SpotTarget, plan.OnDemandTarget));
        Assert.Equal(
            [
                new LaunchDecision(1, true, OptionD, "spot target 3, 2 alive, 1 under interruption notice"),
                new LaunchDecision(1, false, OptionA, "on-demand fallback: 2 of 3 spot ready, on-demand target 1, 0 alive"),
            ],
            plan.Launches);
        // The replica under notice is left to the cloud, not terminated.
        Assert.Empty(plan.Terminations);
    }

    [Fact]
    public void Spot_ready_again_terminates_the_on_demand_fallback()
    {
        var plan = ServicePlanner.Plan(Snapshot(ThreePlusOneSpot,
        [
            Replica(1, ReplicaStatus.READY, at: ZoneA),
            Replica(2, ReplicaStatus.READY, at: ZoneB),
            Replica(3, ReplicaStatus.READY, at: ZoneC),
            Replica(4, ReplicaStatus.READY, at: ZoneA),
            Replica(5, ReplicaStatus.READY, spot: false),
            Replica(6, ReplicaStatus.READY, spot: false),
            Replica(7, ReplicaStatus.READY, spot: false),
        ]));

        const string reason = "on-demand fallback: 4 of 4 spot ready, on-demand target 0, 3 alive";
        Assert.Equal([new TerminateDecision(7, reason), new TerminateDecision(6, reason), new TerminateDecision(5, reason)], plan.Terminations);
        Assert.Empty(plan.Launches);
    }

    [Fact]
    public void Partly_ready_spot_keeps_only_the_on_demand_it_still_needs_dropping_the_least_advanced_first()
    {
        var plan = ServicePlanner.Plan(Snapshot(ThreePlusOneSpot,
        [
            Replica(1, ReplicaStatus.READY, at: ZoneA),
            Replica(2, ReplicaStatus.READY, at: ZoneB),
            Replica(3, ReplicaStatus.READY, at: ZoneC),
            Replica(4, ReplicaStatus.STARTING, at: ZoneA),
            Replica(5, ReplicaStatus.READY, spot: false),
            Replica(6, ReplicaStatus.READY, spot: false),
            Replica(7, ReplicaStatus.STARTING, spot: false),
        ]));

        Assert.Equal(1, plan.OnDemandTarget);
        Assert.Equal([7, 6], plan.Terminations.Select(t => t.ReplicaId));
        Assert.Empty(plan.Launches);
    }

    [Fact]
    public void No_spot_option_launches_no_spot_but_still_falls_back()
    {
        var plan = ServicePlanner.Plan(Snapshot(ThreePlusOneSpot, [], options: [OptionA with { SpotAvailable = false }]));
        Assert.Equal([false, false, false], plan.Launches.Select(l => l.IsSpot));
    }

    [Fact]
    public void Scale_down_removes_the_earliest_stage_first_and_leaves_leaving_replicas_alone()
    {
        var spec = ServiceWith(FixedPolicy(2), useSpot: false);
        var plan = ServicePlanner.Plan(Snapshot(spec,
            [
                Replica(1, ReplicaStatus.READY, spot: false),
                Replica(2, ReplicaStatus.READY, spot: false),
                Replica(3, ReplicaStatus.STARTING, spot: false),
                Replica(4, ReplicaStatus.PENDING, spot: false),
                Replica(5, ReplicaStatus.SHUTTING_DOWN, spot: false),
                Replica(6, ReplicaStatus.FAILED, spot: false),
            ],
            autoscaler: AutoscalerState.Initial(4)));

        const string reason = "on-demand target 2, 4 alive";
        Assert.Equal([new TerminateDecision(4, reason), new TerminateDecision(3, reason)], plan.Terminations);
        Assert.Empty(plan.Launches);
    }

    [Fact]
    public void The_autoscaler_state_flows_through_the_plan()
    {
        var policy = new ReplicaPolicySpec { MinReplicas = 1, MaxReplicas = 5, TargetQpsPerReplica = TargetQps.Of(2) };
        var plan = ServicePlanner.Plan(Snapshot(ServiceWith(policy, useSpot: false), [Replica(1, ReplicaStatus.READY, spot: false)], requestsPerSecond: 8));

        Assert.Equal(new AutoscalerState(1, 4, T0), plan.Autoscaler);
        Assert.Equal(1, plan.TargetReplicas);
        Assert.Empty(plan.Launches);
    }
}
