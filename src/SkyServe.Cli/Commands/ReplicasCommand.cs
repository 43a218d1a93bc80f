using System.CommandLine;
using System.Text.Json.Nodes;

namespace SkyServe.Cli.Commands;

/// <summary>`skyserve replicas NAME [--all]`: the replicas of one service; `replicas NAME --terminate ID` stops one.</summary>
public static class ReplicasCommand
{
    public static Command Build(GlobalOptions global)
    {
        var name = new Argument<string>("name") { Description = "Service name" };
        var terminate = new Option<int?>("--terminate") { Description = "Terminate the replica with this id" };
        var all = new Option<bool>("--all", "-a") { Description = "Also list finished replicas (failed, preempted)" };
        var command = new Command("replicas", "List (or terminate) a service's replicas") { name, terminate, all };
        command.SetAction(async (parse, ct) =>
        {
            using var client = global.Client(parse);
            var service = Uri.EscapeDataString(parse.GetValue(name)!);
            if (parse.GetValue(terminate) is { } id)
            {
                var replica = await client.DeleteAsync($"/api/v1/services/{service}/replicas/{id}", ct);
                Console.WriteLine($"Replica {id} of {parse.GetValue(name)}: {replica["status"]}");
                return 0;
            }
            Console.Write(ServiceTables.Replicas((JsonArray)await client.GetAsync($"/api/v1/services/{service}/replicas{(parse.GetValue(all) ? "?all=true" : "")}", ct)));
            return 0;
        });
        return command;
    }
}
