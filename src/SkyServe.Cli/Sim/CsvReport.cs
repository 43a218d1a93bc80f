using System.Globalization;
using System.Text;
using SkyServe.Core.Simulation;

namespace SkyServe.Cli.Sim;

/// <summary>`--csv FILE`: the JSON rows' fields as comma-separated values (fractions, not percent).</summary>
internal static class CsvReport
{
    public const string Header = "trace,policy,availability,availability_sd,cost_vs_ondemand,cost_sd,p50_s,p90_s,p99_s,failure_rate,failed_spot_launches,preemptions,repeats,seed,cold_start_s,extra";

    public static string Write(IEnumerable<(EvaluationRow Row, SimulationSettings Settings)> rows)
    {
        var text = new StringBuilder().AppendLine(Header);
        foreach (var (row, settings) in rows)
            text.AppendLine(string.Join(',',
                Quote(row.Trace), row.PolicyName,
                Number(row.Availability.Mean), Number(row.Availability.Sd),
                Number(row.RelativeCost.Mean), Number(row.RelativeCost.Sd),
                Number(row.P50), Number(row.P90), Number(row.P99), Number(row.FailureRate),
                Number(row.FailedLaunches.Mean), Number(row.Preemptions.Mean),
                row.Repeats.ToString(CultureInfo.InvariantCulture), row.Seed.ToString(CultureInfo.InvariantCulture),
                settings.ColdStartSeconds.ToString(CultureInfo.InvariantCulture), settings.ExtraReplicas.ToString(CultureInfo.InvariantCulture)));
        return text.ToString();
    }

    private static string Number(double value) => double.IsNaN(value) ? "" : Math.Round(value, 6).ToString("R", CultureInfo.InvariantCulture);

    private static string Quote(string text) => text.Contains(',') || text.Contains('"') ? $"\"{text.Replace("\"", "\"\"")}\"" : text;
}
