using SkyServe.Core.Simulation;
using static SkyServe.Core.Tests.Simulation.SimTestData;

namespace SkyServe.Core.Tests.Simulation;

/// <summary>The engine's semantics on markets small enough to work out by hand (d = 4 ticks unless said).</summary>
public sealed class SimulationEngineTests
{
    [Fact]
    public void On_demand_only_is_always_available_at_relative_cost_one()
    {
        var settings = Settings(ticks: 40);
        var trace = Run(Window(Constant(0, 40)), new OnDemandPolicy(3), settings);
        var score = RunScore.Of(trace, 3, 3);
        Assert.Equal(1.0, score.Availability);
        Assert.Equal(1.0, score.RelativeCost, 12);
        Assert.Equal(0, trace.Ready[3]); // nothing is READY before d
        Assert.Equal(3, trace.Ready[4]);
    }

    [Fact]
    public void Spot_with_ample_capacity_costs_one_third_of_on_demand()
    {
        var settings = Settings(ticks: 40);
        var trace = Run(Window(Constant(10, 40)), new RoundRobinPolicy(3), settings);
        var score = RunScore.Of(trace, 3, 3);
        Assert.Equal(1.0, score.Availability);
        Assert.Equal(1.0 / 3, score.RelativeCost, 12);
        Assert.Equal(0, score.FailedLaunches);
    }

    [Fact]
    public void A_capacity_drop_preempts_the_surplus_and_launches_into_a_full_zone_fail()
    {
        // One zone: capacity 3 for 20 ticks, then 1. Round robin keeps asking for the missing two every tick.
        var settings = Settings(ticks: 40);
        var trace = Run(Window(Step(3, 20, 1, 40)), new RoundRobinPolicy(3), settings);
        var score = RunScore.Of(trace, 3, 3);
        Assert.Equal(2, score.Preemptions);
        Assert.Equal(2 * 19, score.FailedLaunches); // ticks 21..39, two refused launches each
        Assert.Equal(16.0 / 36, score.Availability, 12); // ticks 4..19 of 4..39
        // Cost: 3 spot for ticks 4..19, 1 for 20..39, against 9 per tick.
        Assert.Equal((3.0 * 16 + 1.0 * 20) / (9 * 36), score.RelativeCost, 12);
    }

    [Fact]
    public void A_replica_is_ready_only_after_the_cold_start_of_continuous_life()
    {
        // Capacity 1, lost at tick 10 for one tick: the relaunch at tick 11 is READY at 11 + 4 = 15.
        var capacity = Constant(1, 30);
        capacity[10] = 0;
        var settings = Settings(ticks: 30, target: 1);
        var trace = Run(Window(capacity), new RoundRobinPolicy(1), settings);
        Assert.Equal([0, 0, 0, 0, 1], trace.Ready[..5]);
        Assert.Equal([1, 0, 0, 0, 0, 0, 1], trace.Ready[9..16]);
        Assert.Equal(1, trace.Spot[10 - 1]);
        Assert.Equal(0, trace.Spot[10]);
        Assert.Equal(1, trace.Spot[11]); // launched (and paid for) while starting
    }

    [Fact]
    public void Longer_cold_starts_take_longer()
    {
        var settings = Settings(ticks: 30, coldStartSeconds: 240, target: 1);
        var trace = Run(Window(Constant(1, 30)), new RoundRobinPolicy(1), settings);
        Assert.Equal(8, Array.IndexOf(trace.Ready, 1));
    }

    [Fact]
    public void In_the_parity_model_the_youngest_replicas_are_preempted_first()
    {
        // Two replicas in one zone, one launched at tick 0, one at 10 (after a loss at 9); capacity falls to 1 at tick 12,
        // before the young one is READY: the young one goes, the old READY one stays, so READY never drops below 1.
        var capacity = Constant(2, 30);
        capacity[9] = 1;
        for (var t = 12; t < 30; t++)
            capacity[t] = 1;
        var settings = Settings(ticks: 30, target: 1);
        var trace = Run(Window(capacity), new RoundRobinPolicy(2), settings);
        Assert.Equal(2, trace.Spot[11]);
        Assert.All(trace.Ready[4..], ready => Assert.True(ready >= 1));
        Assert.Equal(1, trace.Ready[12]); // the old replica survived; the young one (not READY yet) went
    }

    [Fact]
    public void Even_spread_keeps_asking_a_zone_without_capacity()
    {
        var settings = Settings(ticks: 20, target: 2);
        var trace = Run(Window(Constant(5, 20), Constant(0, 20)), new EvenSpreadPolicy(2), settings);
        Assert.Equal(20, trace.FailedLaunches);
        Assert.All(trace.Spot, spot => Assert.Equal(1, spot));
    }

    [Fact]
    public void A_notice_announces_the_preemption_ahead_and_spothedge_replaces_early()
    {
        // Zone a loses all capacity at tick 40; zone b always has room. With a 120 s notice (4 ticks) SpotHedge starts the
        // replacement at tick 36 and is READY again when the old replica goes; without, it is short for a while.
        // Zone b has no room for the first ticks, so the first replica settles in a.
        var a = Step(10, 40, 0, 80);
        var b = Step(0, 10, 10, 80);
        var window = Window(a, b);
        var withNotice = Settings(ticks: 80, target: 1, extra: 0) with { NoticeSeconds = 120 };
        var without = Settings(ticks: 80, target: 1, extra: 0);
        var noticed = Run(window, Evaluation.Create(SimPolicy.SpotHedge, window, withNotice), withNotice);
        var unannounced = Run(window, Evaluation.Create(SimPolicy.SpotHedge, window, without), without);
        var scoreNoticed = RunScore.Of(noticed, 1, 3);
        var scoreUnannounced = RunScore.Of(unannounced, 1, 3);
        Assert.True(scoreNoticed.Availability > scoreUnannounced.Availability,
            $"with notice {scoreNoticed.Availability}, without {scoreUnannounced.Availability}");
    }

    [Fact]
    public void The_same_window_policy_and_seed_give_the_same_trace()
    {
        var scenario = Scenario("synthetic", Step(4, 300, 0, 600), Step(0, 200, 4, 600), Constant(2, 600));
        var settings = Settings(ticks: 400) with { Repeats = 3 };
        var first = Evaluation.Run(scenario, [SimPolicy.SpotHedge, SimPolicy.HedgePlus], settings);
        var second = Evaluation.Run(scenario, [SimPolicy.SpotHedge, SimPolicy.HedgePlus], settings);
        Assert.Equal(first.Select(r => (r.Availability, r.RelativeCost, r.P50)), second.Select(r => (r.Availability, r.RelativeCost, r.P50)));
    }
}
