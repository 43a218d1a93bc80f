using SkyServe.Core.Domain;
using SkyServe.Core.Policies;
using SkyServe.Core.Policies.Placers;
using SkyServe.Core.Spec;
using static SkyServe.Core.Tests.Policies.PolicyTestData;

namespace SkyServe.Core.Tests.Policies;

/// <summary>The rules the reconciler applies beside the planner: placers by name, and a service's status from its replicas.</summary>
public sealed class ReconcileRulesTests
{
    [Fact]
    public void Each_spec_placer_name_has_its_placer()
    {
        Assert.Null(SpotPlacers.For(null).Name);
        Assert.Equal("dynamic_fallback", SpotPlacers.For(SpotPlacer.DynamicFallback).Name);
        Assert.Equal("hedge_plus", SpotPlacers.For(SpotPlacer.HedgePlus).Name);
    }

    [Fact]
    public void Dynamic_fallback_spreads_new_spot_replicas_and_the_default_takes_the_cheapest()
    {
        var snapshot = Snapshot(ServiceWith(SpotHedgePolicy(2), useSpot: true), [], options: ThreeZones);
        Assert.Equal(ZoneB, SpotPlacers.DynamicFallback.ChooseSpot(snapshot, [ZoneA], [ZoneA], 2, 0, 3)!.Location);
        Assert.Equal(ZoneA, SpotPlacers.Cheapest.ChooseSpot(snapshot, [ZoneA], [ZoneA], 2, 0, 3)!.Location);
    }

    [Theory]
    [InlineData(ReplicaStatus.READY, 0, ServiceStatus.READY)]
    [InlineData(ReplicaStatus.STARTING, 0, ServiceStatus.REPLICA_INIT)]
    [InlineData(ReplicaStatus.FAILED, 1, ServiceStatus.REPLICA_INIT)]
    [InlineData(ReplicaStatus.FAILED, 0, ServiceStatus.NO_REPLICA)]
    public void A_service_is_ready_with_a_serving_ready_replica_starting_while_any_is_alive_or_launching(
        ReplicaStatus replica, int launches, ServiceStatus expected)
    {
        var plan = new ServicePlan(1, 0, 1, AutoscalerState.Initial(1),
            Enumerable.Range(0, launches).Select(_ => new LaunchDecision(1, false, OptionA, "test")).ToList(), [], new HashSet<int> { 1 });
        Assert.Equal(expected, ServiceStatusRule.Decide([Replica(1, replica, spot: false)], plan).Status);
    }

    [Fact]
    public void A_ready_replica_of_a_version_not_served_does_not_make_the_service_ready()
    {
        var plan = new ServicePlan(1, 0, 1, AutoscalerState.Initial(1), [], [], new HashSet<int> { 2 });
        Assert.Equal(ServiceStatus.REPLICA_INIT, ServiceStatusRule.Decide([Replica(1, ReplicaStatus.READY, spot: false)], plan).Status);
    }

    [Fact]
    public void An_orphan_is_a_machine_no_row_owns_by_id_or_launch_token_past_the_grace()
    {
        var grace = TimeSpan.FromSeconds(30);
        var machines = new[]
        {
            new OwnedMachine("i-owned", "t1", T0.AddMinutes(-5)),
            new OwnedMachine("i-launching", "t2", T0.AddMinutes(-5)), // its row has the token, not yet the id
            new OwnedMachine("i-young", "t3", T0.AddSeconds(-10)),
            new OwnedMachine("i-orphan", "t4", T0.AddMinutes(-5)),
        };
        var orphans = OrphanSelection.Pick(machines, new HashSet<string> { "i-owned" }, new HashSet<string> { "t1", "t2" }, T0, grace);
        Assert.Equal(["i-orphan"], orphans.Select(o => o.Id));
    }
}
