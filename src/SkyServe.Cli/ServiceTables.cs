using System.Globalization;
using System.Text.Json.Nodes;

namespace SkyServe.Cli;

/// <summary>The tables `status` and `replicas` print.</summary>
internal static class ServiceTables
{
    public static string Services(JsonArray services)
    {
        var now = TimeProvider.System.GetUtcNow().UtcDateTime; // the CLI reads the wall clock once per table
        var table = new TextTable("NAME", "VERSION", "STATUS", "REPLICAS", "ENDPOINT", "AGE", "COST", "$/H", "SAVING");
        foreach (var s in services)
        {
            var replicas = s!["replicas"] is JsonArray list
                ? $"{list.Count(r => r?["status"]?.ToString() == "READY")}/{list.Count}"
                : $"{s["ready_replicas"]}/{s["replicas"]}";
            var cost = s["cost"];
            table.Add(s["name"]?.ToString(), s["version"]?.ToString(), s["status"]?.ToString(), replicas,
                s["endpoint"]?.ToString(), Age.Since(s["created_at"]?.GetValue<DateTime>(), now),
                Dollars(cost?["total"]), Dollars(cost?["per_hour"]), Saving(cost));
        }
        return table.ToString();
    }

    /// <summary>The fleet's line under the table: cost so far, per hour, and the saving against the same replica-hours on demand.</summary>
    public static string Fleet(JsonNode summary)
    {
        var cost = summary["cost"];
        return $"Fleet: {summary["services"]} services, {summary["ready_replicas"]}/{summary["replicas"]} replicas READY " +
            $"({summary["spot_replicas"]} spot, {summary["on_demand_replicas"]} on-demand); cost {Dollars(cost?["total"])}, " +
            $"{Dollars(cost?["per_hour"])}/h; on demand it would be {Dollars(cost?["on_demand_equivalent"])} " +
            $"({Dollars(cost?["on_demand_equivalent_per_hour"])}/h): saving {Saving(cost)}\n";
    }

    /// <summary>Dollars with cents, or more digits under a dollar so that small local runs still show a figure.</summary>
    public static string Dollars(JsonNode? value)
    {
        if (value is null)
            return "-";
        var d = value.GetValue<decimal>();
        var text = Math.Abs(d).ToString(Math.Abs(d) < 1 ? "0.0000" : "0.00", CultureInfo.InvariantCulture);
        return d < 0 ? "-$" + text : "$" + text;
    }

    private static string Saving(JsonNode? cost) =>
        cost is null ? "-" : $"{Dollars(cost["saving"])} ({cost["saving_percent"]?.GetValue<decimal>().ToString("0.0", CultureInfo.InvariantCulture)}%)";

    /// <summary>The instance type, with the node count of a multi-node replica: "2x g5.xlarge".</summary>
    private static string? MachineType(JsonNode replica) =>
        NumNodes(replica) is > 1 and var n ? $"{n}x {replica["instance_type"]}" : replica["instance_type"]?.ToString();

    /// <summary>What the replica costs an hour: one machine's price times its nodes.</summary>
    private static JsonNode? ReplicaPrice(JsonNode replica) =>
        replica["hourly_price"] is { } price ? JsonValue.Create(price.GetValue<decimal>() * NumNodes(replica)) : null;

    private static int NumNodes(JsonNode replica) => replica["num_nodes"]?.GetValue<int>() ?? 1;

    public static string Replicas(JsonArray replicas)
    {
        var now = TimeProvider.System.GetUtcNow().UtcDateTime; // the CLI reads the wall clock once per table
        var table = new TextTable("ID", "VERSION", "STATUS", "LOCATION", "MARKET", "ENDPOINT", "AGE", "TYPE", "$/H");
        foreach (var r in replicas)
            table.Add(r!["replica_id"]?.ToString(), r["version"]?.ToString(), r["status"]?.ToString(), r["location"]?.ToString(),
                r["is_spot"]?.GetValue<bool>() == true ? "spot" : "on-demand", r["endpoint"]?.ToString(),
                Age.Since(r["created_at"]?.GetValue<DateTime>(), now), MachineType(r), Dollars(ReplicaPrice(r)));
        return table.ToString();
    }
}
