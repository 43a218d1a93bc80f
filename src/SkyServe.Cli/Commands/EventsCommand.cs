using System.CommandLine;
using System.Text.Json.Nodes;

namespace SkyServe.Cli.Commands;

/// <summary>
/// `skyserve events NAME [--follow]`: the service's status transitions, oldest first; with --follow, then each new one as
/// it happens (the controller's server-sent event stream), until Ctrl+C.
/// </summary>
public static class EventsCommand
{
    public static Command Build(GlobalOptions global)
    {
        var name = new Argument<string>("name") { Description = "Service name" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new events as they happen" };
        var command = new Command("events", "Show a service's events") { name, follow };
        command.SetAction(async (parse, ct) =>
        {
            using var client = global.Client(parse);
            var path = $"/api/v1/services/{Uri.EscapeDataString(parse.GetValue(name)!)}/events";
            if (!parse.GetValue(follow))
            {
                var table = new TextTable("TIME", "REPLICA", "FROM", "TO", "REASON");
                foreach (var e in (JsonArray)await client.GetAsync(path, ct))
                    table.Add(Cells(e!));
                Console.Write(table);
                return 0;
            }
            // A stream has no end to align columns at: one line per event, tab-separated, as it comes.
            Console.WriteLine(string.Join('\t', "TIME", "REPLICA", "FROM", "TO", "REASON"));
            try
            {
                await foreach (var e in client.ReadEventsAsync(path + "?follow=true", ct))
                    Console.WriteLine(string.Join('\t', Cells(e).Select(c => c ?? "-")));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            return 0;
        });
        return command;
    }

    private static string?[] Cells(JsonNode e) =>
    [
        e["at"]?.GetValue<DateTime>().ToString("u"), e["replica_id"]?.ToString(), e["from_status"]?.ToString(),
        e["to_status"]?.ToString(), e["reason"]?.ToString(),
    ];
}
