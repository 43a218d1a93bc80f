using System.CommandLine;
using System.Text.Json.Nodes;

namespace SkyServe.Cli.Commands;

/// <summary>`skyserve events NAME`: the service's status transitions, oldest first.</summary>
public static class EventsCommand
{
    public static Command Build(GlobalOptions global)
    {
        var name = new Argument<string>("name") { Description = "Service name" };
        var command = new Command("events", "Show a service's events") { name };
        command.SetAction(async (parse, ct) =>
        {
            using var client = global.Client(parse);
            var events = (JsonArray)await client.GetAsync($"/api/v1/services/{Uri.EscapeDataString(parse.GetValue(name)!)}/events", ct);
            var table = new TextTable("TIME", "REPLICA", "FROM", "TO", "REASON");
            foreach (var e in events)
                table.Add(e!["at"]?.GetValue<DateTime>().ToString("u"), e["replica_id"]?.ToString(), e["from_status"]?.ToString(),
                    e["to_status"]?.ToString(), e["reason"]?.ToString());
            Console.Write(table);
            return 0;
        });
        return command;
    }
}
