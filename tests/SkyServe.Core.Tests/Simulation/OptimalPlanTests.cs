using SkyServe.Core.Simulation;
using SkyServe.Core.Simulation.Optimum;
using static SkyServe.Core.Tests.Simulation.SimTestData;

namespace SkyServe.Core.Tests.Simulation;

/// <summary>The omniscient optimum: the integer program, solved by CBC (tests/run.sh installs Debian's coinor-cbc).</summary>
public sealed class OptimalPlanTests
{
    private static CbcSolver Solver() => CbcSolver.Find() ?? throw new InvalidOperationException(
        "the CBC solver (cbc) is not on PATH: install it with 'apt-get install coinor-cbc' (tests/run.sh does this)");

    // Zone a has capacity for ticks 0-4, zone b for ticks 3-9; one READY replica is needed from tick 1 (30 s cold start).
    private static readonly int[] ZoneA = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0];
    private static readonly int[] ZoneB = [0, 0, 0, 1, 1, 1, 1, 1, 1, 1];

    private static SimulationSettings Small => Settings(ticks: 10, coldStartSeconds: 30, target: 1, extra: 0);

    [Fact]
    public void The_program_has_no_variable_where_a_zone_has_no_capacity()
    {
        var lp = OptimalPlanProgram.Build(Window(ZoneA, ZoneB), Small);
        Assert.Contains(" s_0_4 ", lp);
        Assert.DoesNotContain("s_0_5", lp);
        Assert.DoesNotContain("s_1_2", lp);
        Assert.Contains("cover_9: q_9 + r_1_9 >= 1", lp);
        Assert.Contains("General", lp);
    }

    [Fact]
    public void Cbc_finds_the_hand_computed_optimum()
    {
        // Best: spot in a for ticks 0-4 (READY 1-4), spot in b from tick 4 (READY 5-9, one tick of overlap for its cold
        // start): 5 + 6 = 11 spot replica-ticks; any on-demand tick costs 3.
        var window = Window(ZoneA, ZoneB);
        var solution = Solver().Solve(OptimalPlanProgram.Build(window, Small), 30);
        Assert.Equal(SolverStatus.Optimal, solution.Status);
        Assert.Equal(11, solution.Objective, 6);

        var (spot, onDemand) = OptimalPlanProgram.Plan(solution.Values, 2, 10);
        Assert.All(onDemand, count => Assert.Equal(0, count));
        var run = Evaluation.RunOne(SimPolicy.Optimal, window, Small, new ScriptedPolicy(spot, onDemand));
        Assert.Equal(1.0, run.Score.Availability);
        // Scored over ticks 1-9: 4 ticks in a, 6 in b, against one on-demand replica (3) per tick.
        Assert.Equal(10.0 / 27, run.Score.RelativeCost, 12);
    }

    [Fact]
    public void The_optimum_is_fully_available_and_no_dearer_than_any_fully_available_policy()
    {
        var scenario = Scenario("synthetic", Step(4, 150, 0, 700), Step(0, 100, 4, 700), Step(2, 400, 0, 700));
        var settings = Settings(ticks: 300) with { Repeats = 2, SolverSeconds = 60 };
        var rows = Evaluation.Run(scenario, [SimPolicy.OnDemand, SimPolicy.SpotHedge, SimPolicy.Optimal, SimPolicy.HedgePlus], settings, Solver());
        var optimal = rows.Single(row => row.Policy == SimPolicy.Optimal);
        Assert.Equal(1.0, optimal.Availability.Mean);
        Assert.StartsWith("integer program solved by CBC: 2 of 2 proven optimal", optimal.Note);
        foreach (var row in rows.Where(row => row.Availability.Mean >= 1.0))
            Assert.True(optimal.RelativeCost.Mean <= row.RelativeCost.Mean + 1e-9, $"{row.PolicyName} costs {row.RelativeCost.Mean}, optimum {optimal.RelativeCost.Mean}");
    }

    [Fact]
    public void The_solution_file_is_read_with_its_status()
    {
        var optimal = CbcSolver.Parse(["Optimal - objective value 7.00000000", "      0 x                      1                       1", "      1 y                      2                       3"], TimeSpan.Zero);
        Assert.Equal((SolverStatus.Optimal, 7.0), (optimal.Status, optimal.Objective));
        Assert.Equal(2.0, optimal.Values["y"]);
        var stopped = CbcSolver.Parse(["Stopped on time - objective value 12.00000000"], TimeSpan.Zero);
        Assert.Equal(SolverStatus.Feasible, stopped.Status);
        var infeasible = CbcSolver.Parse(["Infeasible - objective value 0.00000000"], TimeSpan.Zero);
        Assert.Equal(SolverStatus.NoSolution, infeasible.Status);
    }
}
