using System.Text.Json;
using System.Text.Json.Nodes;
using SkyServe.Core.Simulation;

namespace SkyServe.Cli.Sim;

/// <summary>
/// `--json`: one array of rows <c>{"trace","policy","availability","availability_sd","cost_vs_ondemand","cost_sd",
/// "p50_s","p90_s","p99_s","failure_rate","repeats","seed"}</c> (fractions, not percent), plus the spot launch and
/// preemption counts and a note where the row needs one. A skipped policy has nulls.
/// </summary>
internal static class JsonReport
{
    public static JsonObject Row(EvaluationRow row, SimulationSettings settings, bool sensitivity = false)
    {
        var json = new JsonObject
        {
            ["trace"] = row.Trace,
            ["policy"] = row.PolicyName,
            ["availability"] = Value(row.Availability.Mean),
            ["availability_sd"] = Value(row.Availability.Sd),
            ["cost_vs_ondemand"] = Value(row.RelativeCost.Mean),
            ["cost_sd"] = Value(row.RelativeCost.Sd),
            ["p50_s"] = Value(row.P50),
            ["p90_s"] = Value(row.P90),
            ["p99_s"] = Value(row.P99),
            ["failure_rate"] = Value(row.FailureRate),
            ["repeats"] = row.Repeats,
            ["seed"] = row.Seed,
            ["failed_spot_launches"] = Value(row.FailedLaunches.Mean),
            ["preemptions"] = Value(row.Preemptions.Mean),
        };
        if (sensitivity)
        {
            json["cold_start_s"] = settings.ColdStartSeconds;
            json["extra"] = settings.ExtraReplicas;
        }
        if (row.Note is not null)
            json["note"] = row.Note;
        return json;
    }

    public static string Write(IEnumerable<JsonObject> rows) =>
        new JsonArray(rows.Cast<JsonNode>().ToArray()).ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    private static JsonNode? Value(double value) => double.IsNaN(value) ? null : JsonValue.Create(Math.Round(value, 6));
}
