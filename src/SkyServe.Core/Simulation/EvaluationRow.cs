namespace SkyServe.Core.Simulation;

/// <summary>One policy on one scenario, over every repeat (means and spreads).</summary>
/// <param name="Note">How the row was obtained when that needs saying (the optimum's solver and its status), or why it is empty.</param>
public sealed record EvaluationRow(
    string Trace,
    SimPolicy Policy,
    Spread Availability,
    Spread RelativeCost,
    Spread FailedLaunches,
    Spread Preemptions,
    double P50,
    double P90,
    double P99,
    double FailureRate,
    int Repeats,
    int Seed,
    string? Note,
    IReadOnlyList<PolicyRun> Runs)
{
    public string PolicyName => SimPolicyNames.Name(Policy);

    public bool HasRuns => Runs.Count > 0;

    public static EvaluationRow From(string trace, SimPolicy policy, SimulationSettings settings, IReadOnlyList<PolicyRun> runs, string? note) => new(
        trace,
        policy,
        Spread.Of(runs.Select(run => run.Score.Availability)),
        Spread.Of(runs.Select(run => run.Score.RelativeCost)),
        Spread.Of(runs.Select(run => (double)run.Score.FailedLaunches)),
        Spread.Of(runs.Select(run => (double)run.Score.Preemptions)),
        Spread.Of(runs.Select(run => run.Latency.P50)).Mean,
        Spread.Of(runs.Select(run => run.Latency.P90)).Mean,
        Spread.Of(runs.Select(run => run.Latency.P99)).Mean,
        Spread.Of(runs.Select(run => run.Latency.FailureRate)).Mean,
        runs.Count,
        settings.Seed,
        note,
        runs);
}
