using System.Text;
using SkyServe.Core.Simulation;

namespace SkyServe.Cli.Sim;

/// <summary>The human-readable report: settings, one table line per trace × policy (mean and standard deviation over the repeats), the repeats' windows, notes.</summary>
internal static class MarkdownReport
{
    public static string Settings(SimulationSettings s, string traces)
    {
        var text = new StringBuilder();
        text.Append($"skyserve sim: {traces}; N_tar {s.TargetReplicas}, N_extra {s.ExtraReplicas}, {s.TickSeconds} s ticks, ");
        text.Append($"cold start {s.ColdStartSeconds} s ({s.ColdStartTicks} ticks), on-demand {SimFormat.Number(s.OnDemandCost, 2)}x spot, ");
        text.Append($"{s.Repeats} repeats x {s.Ticks} ticks, seed {s.Seed}, model {Name(s.Model)} (reset: {Name(s.EffectiveReset)})");
        if (s.NoticeSeconds > 0)
            text.Append($", preemption notice {s.NoticeSeconds} s");
        text.Append(s.Workload.ArrivalTimes is { } replay
            ? $"; requests: {replay.Count} replayed arrivals"
            : $"; requests: Poisson {SimFormat.Number(s.Workload.RequestsPerSecond, 3)} req/s from {s.Workload.Clients} clients" +
              (s.Workload.DuplicateFirstClient ? " (the first two with the same arrivals, as in the artifact)" : ""));
        text.Append($", service {SimFormat.Number(s.Workload.MeanServiceSeconds)} s, timeout {SimFormat.Number(s.Workload.TimeoutSeconds, 0)} s");
        return text.AppendLine().ToString();
    }

    public static string Table(IReadOnlyList<EvaluationRow> rows)
    {
        var text = new StringBuilder();
        text.AppendLine("| trace | policy | availability % | relative cost % | failed spot launches | preemptions | P50 / P90 / P99 latency s | failed requests % |");
        text.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            if (!row.HasRuns)
            {
                text.AppendLine($"| {row.Trace} | {row.PolicyName} | - | - | - | - | - | - |");
                continue;
            }
            text.AppendLine(
                $"| {row.Trace} | {row.PolicyName} " +
                $"| {SimFormat.Percent(row.Availability.Mean)} ({SimFormat.Percent(row.Availability.Sd)}) " +
                $"| {SimFormat.Percent(row.RelativeCost.Mean)} ({SimFormat.Percent(row.RelativeCost.Sd)}) " +
                $"| {SimFormat.Number(row.FailedLaunches.Mean)} | {SimFormat.Number(row.Preemptions.Mean)} " +
                $"| {SimFormat.Number(row.P50)} / {SimFormat.Number(row.P90)} / {SimFormat.Number(row.P99)} " +
                $"| {SimFormat.Percent(row.FailureRate)} |");
        }
        return text.ToString();
    }

    /// <summary>Each scenario's repeats: start offset (ticks into the trace) and zone order, so any run can be redone.</summary>
    public static string Windows(TraceScenario scenario, IReadOnlyList<RunWindow> windows)
    {
        var parts = windows.Select(w => $"{w.Offset} [{string.Join(" ", w.Zones.Select(z => z.Name))}]");
        return $"{scenario.Name}: {scenario.Zones.Length} zones, {scenario.Length} ticks{(scenario.Unlimited ? " (availability traces: 1 = unlimited capacity)" : "")}; " +
               $"repeat offsets and zone orders: {string.Join("; ", parts)}\n";
    }

    public static string Name(SimulationModel model) => model == SimulationModel.Parity ? "parity" : "controller";

    public static string Name(ResetRule rule) => rule == ResetRule.Artifact ? "artifact" : "skypilot";
}
