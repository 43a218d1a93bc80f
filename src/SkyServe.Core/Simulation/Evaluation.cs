using SkyServe.Core.Simulation.Optimum;
using SkyServe.Core.Spec;

namespace SkyServe.Core.Simulation;

/// <summary>
/// Runs policies over the repeats of a scenario and summarises them. Every policy sees the same windows, zone orders
/// and request streams (common random numbers), so differences between rows are the policies'. Repeats run in
/// parallel; results do not depend on it.
/// </summary>
public static class Evaluation
{
    public static IReadOnlyList<EvaluationRow> Run(
        TraceScenario scenario, IReadOnlyList<SimPolicy> policies, SimulationSettings settings, CbcSolver? solver = null, Action<string>? log = null)
    {
        var windows = RunWindow.Plan(scenario, settings);
        var rows = new List<EvaluationRow>();
        foreach (var policy in policies)
        {
            if (policy == SimPolicy.Optimal)
            {
                rows.Add(Optimal(scenario, windows, settings, solver, log));
                continue;
            }
            var runs = new PolicyRun[windows.Count];
            Parallel.For(0, windows.Count, i => runs[i] = RunOne(policy, windows[i], settings, Create(policy, windows[i], settings)));
            rows.Add(EvaluationRow.From(scenario.Name, policy, settings, runs, null));
        }
        return rows;
    }

    /// <summary>A fresh policy for one run; SpotHedge and hedge_plus are the controller's, through <see cref="PlannerPolicy"/>.</summary>
    public static ISimulatedPolicy Create(SimPolicy policy, RunWindow window, SimulationSettings settings) => policy switch
    {
        SimPolicy.OnDemand => new OnDemandPolicy(settings.TargetReplicas),
        SimPolicy.EvenSpread => new EvenSpreadPolicy(settings.TargetReplicas),
        SimPolicy.RoundRobin => new RoundRobinPolicy(settings.TargetReplicas),
        SimPolicy.SpotHedge => new PlannerPolicy(SpotPlacer.DynamicFallback, window.Locations, settings, TieBreakSeed(settings, window)),
        SimPolicy.HedgePlus => new PlannerPolicy(SpotPlacer.HedgePlus, window.Locations, settings, TieBreakSeed(settings, window)),
        _ => throw new ArgumentException($"{SimPolicyNames.Name(policy)} is not a tick-by-tick policy", nameof(policy)),
    };

    public static PolicyRun RunOne(SimPolicy policy, RunWindow window, SimulationSettings settings, ISimulatedPolicy instance)
    {
        var trace = SimulationEngine.Run(window, instance, settings, SimRandom.Derive(settings.Seed, "victims", window.Repeat));
        var score = RunScore.Of(trace, settings.TargetReplicas, settings.OnDemandCost);
        var latency = RequestSimulator.Run(trace.MeasuredReady, settings.TickSeconds, settings.Workload, SimRandom.Derive(settings.Seed, "requests", window.Repeat));
        return new PolicyRun(policy, window, trace, score, latency);
    }

    private static ulong TieBreakSeed(SimulationSettings settings, RunWindow window) =>
        SimRandom.Derive(settings.Seed, "tie-break", window.Repeat).NextUInt64();

    private static EvaluationRow Optimal(TraceScenario scenario, IReadOnlyList<RunWindow> windows, SimulationSettings settings, CbcSolver? solver, Action<string>? log)
    {
        if (solver is null)
            return EvaluationRow.From(scenario.Name, SimPolicy.Optimal, settings, [],
                "skipped: the CBC solver (cbc) is not on PATH; install Debian's coinor-cbc");
        // One CBC process per repeat (CBC itself runs single-threaded), as many at once as there are cores.
        var solutions = new IntegerProgramSolution[windows.Count];
        Parallel.For(0, windows.Count, i => solutions[i] = solver.Solve(OptimalPlanProgram.Build(windows[i], settings), settings.SolverSeconds));
        var runs = new List<PolicyRun>();
        var proven = 0;
        var notes = new List<string>();
        var elapsed = TimeSpan.Zero;
        foreach (var (window, solution) in windows.Zip(solutions))
        {
            elapsed += solution.Elapsed;
            log?.Invoke($"{scenario.Name} optimal repeat {window.Repeat}: {solution.StatusLine} ({solution.Elapsed.TotalSeconds:0.0} s)");
            if (solution.Status == SolverStatus.NoSolution)
            {
                notes.Add($"repeat {window.Repeat}: no solution ({solution.StatusLine})");
                continue;
            }
            if (solution.Status == SolverStatus.Optimal)
                proven++;
            var (spot, onDemand) = OptimalPlanProgram.Plan(solution.Values, window.Zones.Count, window.Ticks);
            runs.Add(RunOne(SimPolicy.Optimal, window, settings, new ScriptedPolicy(spot, onDemand)));
        }
        var note = $"integer program solved by CBC: {proven} of {windows.Count} proven optimal ({elapsed.TotalSeconds:0} s of solver time)";
        if (proven < runs.Count)
            note += $", {runs.Count - proven} stopped at the {settings.SolverSeconds} s limit (best found, not proven)";
        if (notes.Count > 0)
            note += "; " + string.Join("; ", notes);
        return EvaluationRow.From(scenario.Name, SimPolicy.Optimal, settings, runs, note);
    }
}
