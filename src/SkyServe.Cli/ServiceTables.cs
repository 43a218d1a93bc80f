using System.Text.Json.Nodes;

namespace SkyServe.Cli;

/// <summary>The tables `status` and `replicas` print.</summary>
internal static class ServiceTables
{
    public static string Services(JsonArray services)
    {
        var now = TimeProvider.System.GetUtcNow().UtcDateTime; // the CLI reads the wall clock once per table
        var table = new TextTable("NAME", "VERSION", "STATUS", "REPLICAS", "ENDPOINT", "AGE");
        foreach (var s in services)
        {
            var replicas = s!["replicas"] is JsonArray list
                ? $"{list.Count(r => r?["status"]?.ToString() == "READY")}/{list.Count}"
                : $"{s["ready_replicas"]}/{s["replicas"]}";
            table.Add(s["name"]?.ToString(), s["version"]?.ToString(), s["status"]?.ToString(), replicas,
                s["endpoint"]?.ToString(), Age.Since(s["created_at"]?.GetValue<DateTime>(), now));
        }
        return table.ToString();
    }

    public static string Replicas(JsonArray replicas)
    {
        var now = TimeProvider.System.GetUtcNow().UtcDateTime; // the CLI reads the wall clock once per table
        var table = new TextTable("ID", "VERSION", "STATUS", "LOCATION", "MARKET", "ENDPOINT", "AGE");
        foreach (var r in replicas)
            table.Add(r!["replica_id"]?.ToString(), r["version"]?.ToString(), r["status"]?.ToString(), r["location"]?.ToString(),
                r["is_spot"]?.GetValue<bool>() == true ? "spot" : "on-demand", r["endpoint"]?.ToString(),
                Age.Since(r["created_at"]?.GetValue<DateTime>(), now));
        return table.ToString();
    }
}
