using SkyServe.Core.Domain;
using SkyServe.Core.Policies;
using SkyServe.Core.Simulation;
using SkyServe.Core.Spec;
using static SkyServe.Core.Tests.Simulation.SimTestData;

namespace SkyServe.Core.Tests.Simulation;

/// <summary>
/// The simulator runs SpotHedge and hedge_plus through the controller's own <see cref="ServicePlanner.Plan"/>: there is
/// no second copy of a policy. <see cref="PlannerPolicy"/> only builds the reconciler's snapshot and maps the plan.
/// </summary>
public sealed class SharedPolicyCodeTests
{
    [Theory]
    [InlineData(SpotPlacer.DynamicFallback)]
    [InlineData(SpotPlacer.HedgePlus)]
    public void Every_decision_is_the_service_planners_plan_for_the_same_snapshot(SpotPlacer placer)
    {
        var scenario = Scenario("synthetic", Step(4, 300, 0, 900), Step(0, 200, 4, 900), Step(2, 500, 1, 900));
        var settings = Settings(ticks: 600);
        var window = RunWindow.Plan(scenario, settings)[0];
        var policy = new PlannerPolicy(placer, window.Locations, settings, 7);
        var checker = new Checker(policy, window.Locations);
        SimulationEngine.Run(window, checker, settings, new SimRandom(1));
        Assert.Equal(600, checker.Checked);
        Assert.True(checker.Launches > 0);
    }

    [Fact]
    public void The_simulated_service_is_a_spec_a_user_would_write()
    {
        var spec = PlannerPolicy.Spec(SpotPlacer.HedgePlus, 3, 1);
        Assert.True(spec.UsesSpot);
        Assert.Equal((3, 3, 1, true, SpotPlacer.HedgePlus),
            (spec.Service.ReplicaPolicy.MinReplicas, spec.Service.ReplicaPolicy.MaxReplicas, spec.Service.ReplicaPolicy.NumOverprovision,
             spec.Service.ReplicaPolicy.DynamicOndemandFallback, spec.Service.ReplicaPolicy.SpotPlacer));
    }

    [Fact]
    public void Replicas_reach_the_planner_as_the_reconciler_reports_them()
    {
        var window = Window(Constant(4, 20), Constant(4, 20));
        var policy = new PlannerPolicy(SpotPlacer.DynamicFallback, window.Locations, Settings(ticks: 20), 1);
        var view = new FleetView(10, 4, 2, [new SimReplica(1, 0, 2), new SimReplica(2, 1, 8), new SimReplica(3, SimReplica.OnDemandZone, 9, null)]);
        var snapshot = policy.Snapshot(view);
        Assert.Equal([ReplicaStatus.READY, ReplicaStatus.STARTING, ReplicaStatus.STARTING], snapshot.Replicas.Select(r => r.Status));
        Assert.Equal([true, true, false], snapshot.Replicas.Select(r => r.IsSpot));
        Assert.Equal(policy.TimeOf(10), snapshot.Now);
        Assert.Equal(policy.TimeOf(2), snapshot.Replicas[0].CreatedAt);
        Assert.NotNull(snapshot.TieBreak);
    }

    /// <summary>Wraps the adapter and checks each decision against a direct call of the planner on the adapter's snapshot.</summary>
    private sealed class Checker(PlannerPolicy inner, IReadOnlyList<Location> zones) : ISimulatedPolicy
    {
        public int Checked { get; private set; }
        public int Launches { get; private set; }

        public TickDecision Decide(FleetView view)
        {
            var decision = inner.Decide(view);
            var plan = ServicePlanner.Plan(inner.Snapshot(view));
            Assert.Equal(plan.Launches.Where(l => l.IsSpot).Select(l => zones.ToList().IndexOf(l.Option.Location)), decision.SpotLaunches);
            Assert.Equal(plan.Launches.Count(l => !l.IsSpot), decision.OnDemandLaunches);
            Assert.Equal(plan.Terminations.Select(t => t.ReplicaId), decision.Terminations);
            Checked++;
            Launches += decision.SpotLaunches.Count;
            return decision;
        }

        public void Observe(TickOutcome outcome) => inner.Observe(outcome);
    }
}
