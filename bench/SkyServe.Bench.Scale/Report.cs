using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SkyServe.Bench.Scale;

/// <summary>The tables (Markdown) and the final JSON line.</summary>
public static class Report
{
    private static string F(double? v, string format = "0.00") => v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : "-";

    /// <summary>The trial times with each timed-out trial counted as never (infinity), so a median or max over them says so.</summary>
    private static List<double> WithTimeouts(List<double> times, int timeouts) =>
        [.. times, .. Enumerable.Repeat(double.PositiveInfinity, timeouts)];

    private static double? Finite(double? v) => v is { } x && double.IsFinite(x) ? x : null;

    public static double? FailureMedian(SizeResult r) => SizeResult.Median(WithTimeouts(r.FailureSeconds, r.FailureTimeouts));
    public static double? FailureMax(SizeResult r) => SizeResult.Percentile(WithTimeouts(r.FailureSeconds, r.FailureTimeouts), 1);
    public static double? WriteMedian(SizeResult r) => SizeResult.Median(WithTimeouts(r.WriteSeconds, r.WriteTimeouts));
    public static double? WriteMax(SizeResult r) => SizeResult.Percentile(WithTimeouts(r.WriteSeconds, r.WriteTimeouts), 1);

    private static string Trial(double? v, double timeout) => v switch
    {
        null => "-",
        { } x when double.IsInfinity(x) => $">{timeout:0}",
        { } x => x.ToString("0.00", CultureInfo.InvariantCulture),
    };

    /// <summary>One size on one line, for the progress log.</summary>
    public static string Line(SizeResult r) =>
        $"converge {F(r.ConvergeSeconds)} s, failure→LB median {F(Finite(FailureMedian(r)))} s, write→LB median {F(Finite(WriteMedian(r)))} s, "
        + $"list p50 {F(r.ListP50Ms, "0.0")} ms p99 {F(r.ListP99Ms, "0.0")} ms, controller CPU {F(r.ControllerCpuShare)} RSS {F(r.ControllerRssMb, "0")} MB, DB {F(r.DatabaseMb, "0.0")} MB";

    public static string Tables(IReadOnlyList<SizeResult> results, ScaleOptions options)
    {
        var text = new StringBuilder();
        foreach (var group in results.GroupBy(r => r.Database))
        {
            var rows = group.ToList();
            text.AppendLine(CultureInfo.InvariantCulture, $"### {group.Key}");
            text.AppendLine();
            text.AppendLine("| size | services | replicas | writes (s) | converge s | failure→LB median / max s | write→LB median / max s | GET services p50 / p99 ms | controller CPU (cores) | controller RSS MB | LB CPU / RSS MB | DB MB |");
            text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var r in rows)
            {
                if (!r.Ran)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Step.Label} | | | | {r.Note} | | | | | | | |");
                    continue;
                }
                var converge = r.Converged ? F(r.ConvergeSeconds, "0.0") : "not converged";
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {r.Step.Label} | {r.Services} | {r.Replicas} | {r.Writes} ({F(r.PostSeconds, "0.0")}) | {converge} | "
                    + $"{Trial(FailureMedian(r), options.TrialTimeoutSeconds)} / {Trial(FailureMax(r), options.TrialTimeoutSeconds)} | "
                    + $"{Trial(WriteMedian(r), options.TrialTimeoutSeconds)} / {Trial(WriteMax(r), options.TrialTimeoutSeconds)} | "
                    + $"{F(r.ListP50Ms, "0.0")} / {F(r.ListP99Ms, "0.0")}{(r.ListPaged == true ? " (paged)" : "")} | {F(r.ControllerCpuShare)} | {F(r.ControllerRssMb, "0")} | "
                    + $"{F(r.LoadBalancerCpuShare)} / {F(r.LoadBalancerRssMb, "0")} | {F(r.DatabaseMb, "0.0")} |");
            }
            var notes = rows.Where(r => r.Ran && r.Notes.Count > 0).ToList();
            foreach (var r in notes)
                text.AppendLine(CultureInfo.InvariantCulture, $"\n{r.Step.Label}: {r.Note}");
            text.AppendLine();

            // How each figure grows with the fleet: ratio to the smallest size that ran.
            var ran = rows.Where(r => r.Ran).ToList();
            if (ran.Count > 1)
            {
                var first = ran[0];
                text.AppendLine(CultureInfo.InvariantCulture, $"Growth relative to size {first.Step.Label} ({group.Key}; above 1 = larger/slower):");
                text.AppendLine();
                text.AppendLine("| size | replicas × | converge × | failure→LB median × | write→LB median × | GET p50 × | controller CPU × | controller RSS × | DB × |");
                text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
                foreach (var r in ran.Skip(1))
                    text.AppendLine(CultureInfo.InvariantCulture,
                        $"| {r.Step.Label} | {Ratio(r.Replicas, first.Replicas)} | {Ratio(r.ConvergeSeconds, first.ConvergeSeconds)} | "
                        + $"{Ratio(Finite(FailureMedian(r)), Finite(FailureMedian(first)))} | {Ratio(Finite(WriteMedian(r)), Finite(WriteMedian(first)))} | "
                        + $"{Ratio(r.ListP50Ms, first.ListP50Ms)} | {Ratio(r.ControllerCpuShare, first.ControllerCpuShare)} | "
                        + $"{Ratio(r.ControllerRssMb, first.ControllerRssMb)} | {Ratio(r.DatabaseMb, first.DatabaseMb)} |");
                text.AppendLine();
            }
        }

        // PostgreSQL against SQLite, size by size.
        var sqlite = results.Where(r => r.Database == "sqlite" && r.Ran).ToDictionary(r => r.Step.Label);
        var postgres = results.Where(r => r.Database == "postgres" && r.Ran).ToList();
        if (sqlite.Count > 0 && postgres.Count > 0)
        {
            text.AppendLine("PostgreSQL / SQLite (above 1 = PostgreSQL larger/slower):");
            text.AppendLine();
            text.AppendLine("| size | converge | failure→LB median | write→LB median | GET p50 | GET p99 | controller CPU | controller RSS | DB size |");
            text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var p in postgres)
            {
                if (!sqlite.TryGetValue(p.Step.Label, out var s))
                    continue;
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {p.Step.Label} | {Ratio(p.ConvergeSeconds, s.ConvergeSeconds)} | {Ratio(Finite(FailureMedian(p)), Finite(FailureMedian(s)))} | "
                    + $"{Ratio(Finite(WriteMedian(p)), Finite(WriteMedian(s)))} | {Ratio(p.ListP50Ms, s.ListP50Ms)} | {Ratio(p.ListP99Ms, s.ListP99Ms)} | "
                    + $"{Ratio(p.ControllerCpuShare, s.ControllerCpuShare)} | {Ratio(p.ControllerRssMb, s.ControllerRssMb)} | {Ratio(p.DatabaseMb, s.DatabaseMb)} |");
            }
            text.AppendLine();
        }
        return text.ToString();
    }

    private static string Ratio(double? a, double? b) =>
        a is { } x && b is { } y && y > 0 ? (x / y).ToString("0.00", CultureInfo.InvariantCulture) + "×" : "-";

    /// <summary>The figures of the largest size that ran (by replicas) in one database's run.</summary>
    public static JsonObject? Figures(IReadOnlyList<SizeResult> results, string database)
    {
        var largest = results.Where(r => r.Database == database && r.Ran).OrderBy(r => r.Replicas).ThenBy(r => r.Services).LastOrDefault();
        if (largest is null)
            return null;
        static JsonNode? N(double? v, int digits) => v is { } x && double.IsFinite(x) ? JsonValue.Create(Math.Round(x, digits)) : null;
        return new JsonObject
        {
            ["db"] = database,
            ["size"] = largest.Step.Label,
            ["services"] = largest.Services,
            ["replicas"] = largest.Replicas,
            ["converged"] = largest.Converged,
            ["converge_s"] = N(largest.ConvergeSeconds, 2),
            ["writes_s"] = N(largest.PostSeconds, 2),
            ["failure_to_lb_median_s"] = N(FailureMedian(largest), 2),
            ["failure_to_lb_max_s"] = N(FailureMax(largest), 2),
            ["failure_trials"] = largest.FailureSeconds.Count + largest.FailureTimeouts,
            ["failure_timeouts"] = largest.FailureTimeouts,
            ["write_to_lb_s"] = N(WriteMedian(largest), 3),
            ["write_to_lb_max_s"] = N(WriteMax(largest), 3),
            ["list_p50_ms"] = N(largest.ListP50Ms, 1),
            ["list_p99_ms"] = N(largest.ListP99Ms, 1),
            ["list_paged"] = largest.ListPaged,
            ["controller_cpu_share"] = N(largest.ControllerCpuShare, 3),
            ["controller_rss_mb"] = N(largest.ControllerRssMb, 1),
            ["lb_cpu_share"] = N(largest.LoadBalancerCpuShare, 3),
            ["lb_rss_mb"] = N(largest.LoadBalancerRssMb, 1),
            ["db_mb"] = N(largest.DatabaseMb, 2),
            ["poll_ms"] = largest.PollMs,
        };
    }

    /// <summary>
    /// The last line: the largest size's figures at the top level (from the last database run: PostgreSQL when both ran),
    /// and with both, each database's figures under its name too.
    /// </summary>
    public static string JsonLine(IReadOnlyList<SizeResult> results, IReadOnlyList<string> databases, bool interrupted)
    {
        var line = new JsonObject();
        var per = databases.Select(d => (Name: d, Figures: Figures(results, d))).ToList();
        if (per.Count > 1)
            foreach (var (name, figures) in per)
                line[name] = figures;
        if (per.LastOrDefault(p => p.Figures is not null).Figures is { } top)
            foreach (var (key, value) in top)
                line[key] = value?.DeepClone();
        if (interrupted)
            line["interrupted"] = true;
        return line.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }
}
