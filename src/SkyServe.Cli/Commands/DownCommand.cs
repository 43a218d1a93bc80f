using System.CommandLine;

namespace SkyServe.Cli.Commands;

/// <summary>`skyserve down NAME [--purge]`: tears a service down.</summary>
public static class DownCommand
{
    public static Command Build(GlobalOptions global)
    {
        var name = new Argument<string>("name") { Description = "Service name" };
        var purge = new Option<bool>("--purge") { Description = "Remove the service's records now, even if cleanup failed" };
        var command = new Command("down", "Tear a service down") { name, purge };
        command.SetAction(async (parse, ct) =>
        {
            using var client = global.Client(parse);
            var service = parse.GetValue(name)!;
            var query = parse.GetValue(purge) ? "?purge=true" : "";
            var result = await client.DeleteAsync($"/api/v1/services/{Uri.EscapeDataString(service)}{query}", ct);
            Console.WriteLine(result["deleted"]?.GetValue<bool>() == true
                ? $"Service {service} deleted."
                : $"Service {service} is shutting down; its replicas are being terminated.");
            return 0;
        });
        return command;
    }
}
