using System.CommandLine;
using System.Text.Json.Nodes;

namespace SkyServe.Cli.Commands;

/// <summary>
/// `skyserve logs NAME [--replica ID] [--tail N] [--follow]`: a replica's engine log (the output of the spec's setup
/// and run), read through the controller from the replica's agent. Without --replica: a READY replica, else any running one.
/// </summary>
public static class LogsCommand
{
    public static Command Build(GlobalOptions global)
    {
        var name = new Argument<string>("name") { Description = "Service name" };
        var replica = new Option<int?>("--replica") { Description = "The replica's id (default: a READY replica, else any running one)" };
        var tail = new Option<int>("--tail") { Description = "How many of the last lines to show", DefaultValueFactory = _ => 100 };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines as they come (Ctrl+C stops)" };
        var command = new Command("logs", "Show a replica's engine log (setup and run output)") { name, replica, tail, follow };
        command.SetAction(async (parse, ct) =>
        {
            using var client = global.Client(parse);
            var service = Uri.EscapeDataString(parse.GetValue(name)!);
            var id = parse.GetValue(replica) ?? await PickReplicaAsync(client, service, parse.GetValue(name)!, ct);
            await using var stdout = Console.OpenStandardOutput();
            try
            {
                await client.CopyTextAsync($"/api/v1/services/{service}/replicas/{id}/logs?tail={parse.GetValue(tail)}&follow={(parse.GetValue(follow) ? "true" : "false")}",
                    stdout, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl+C while following.
            }
            return 0;
        });
        return command;
    }

    private static async Task<int> PickReplicaAsync(ControllerClient client, string service, string name, CancellationToken ct)
    {
        var replicas = (JsonArray)await client.GetAsync($"/api/v1/services/{service}/replicas", ct);
        var running = replicas
            .Where(r => r?["endpoint"] is not null && r["status"]?.ToString() is "READY" or "NOT_READY" or "STARTING")
            .OrderBy(r => r!["status"]!.ToString() == "READY" ? 0 : 1).ThenBy(r => r!["replica_id"]!.GetValue<int>())
            .ToList();
        if (running.Count == 0)
            throw new CliException($"service '{name}' has no running replica to read logs from (see `skyserve status {name}`)");
        var chosen = running[0]!;
        var id = chosen["replica_id"]!.GetValue<int>();
        if (running.Count > 1)
            Console.Error.WriteLine($"Logs of replica {id} ({chosen["status"]}); --replica ID shows another.");
        return id;
    }
}
