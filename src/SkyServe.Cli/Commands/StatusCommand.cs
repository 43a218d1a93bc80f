using System.CommandLine;
using System.Text.Json.Nodes;
using SkyServe.Core.Spec;

namespace SkyServe.Cli.Commands;

/// <summary>
/// `skyserve status [NAME] [--all] [--json] [--show-secrets]`: services with their cost, cost per hour and saving against
/// on demand, the fleet's totals, and with a name (or --all) their replicas. The
/// spec in the JSON shows env values as &lt;redacted&gt; unless --show-secrets asks the controller for them.
/// </summary>
public static class StatusCommand
{
    public static Command Build(GlobalOptions global)
    {
        var name = new Argument<string?>("name") { Description = "Show this service and its replicas", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all", "-a") { Description = "Show the replicas of every service" };
        var json = new Option<bool>("--json")
        {
            Description = "Print the controller's JSON (without a name: the list, each service with its \"cost\" from /api/v1/summary)",
        };
        var showSecrets = new Option<bool>("--show-secrets") { Description = "Show the values of the spec's envs (hidden by default)" };
        var command = new Command("status", "Show services and their replicas") { name, all, json, showSecrets };
        command.SetAction(async (parse, ct) =>
        {
            using var client = global.Client(parse);
            var services = parse.GetValue(name) is { } one
                ? new JsonArray(await client.GetAsync($"/api/v1/services/{Uri.EscapeDataString(one)}{ShowSecretsQuery(parse.GetValue(showSecrets))}", ct))
                : await client.GetAllPagesAsync("/api/v1/services", ct);
            JsonNode? summary = null;
            if (parse.GetValue(name) is null)
            {
                // The list carries counts only; costs come from the fleet summary (each replica's own hours, computed on read).
                summary = await client.GetAsync("/api/v1/summary", ct);
                var costs = (summary["by_service"] as JsonArray ?? []).ToDictionary(c => c!["name"]!.GetValue<string>(), c => c!["cost"]);
                foreach (var service in services.OfType<JsonObject>())
                    if (!service.ContainsKey("cost") && costs.TryGetValue(service["name"]!.GetValue<string>(), out var cost))
                        service["cost"] = cost?.DeepClone();
            }
            if (parse.GetValue(json))
            {
                Console.WriteLine(services.ToJsonString(EffectiveSpecJson.IndentedOptions)); // "<redacted>" as is, not \u003C...
                return 0;
            }
            Console.Write(ServiceTables.Services(services));
            if (summary is not null)
                Console.Write(ServiceTables.Fleet(summary));
            if (parse.GetValue(name) is not null || parse.GetValue(all))
            {
                foreach (var service in services)
                {
                    var replicas = service!["replicas"] as JsonArray
                        ?? (JsonArray)await client.GetAsync($"/api/v1/services/{service["name"]}/replicas", ct);
                    Console.WriteLine();
                    Console.WriteLine($"Replicas of {service["name"]}:");
                    Console.Write(ServiceTables.Replicas(replicas));
                }
            }
            return 0;
        });
        return command;
    }

    private static string ShowSecretsQuery(bool show) => show ? "?show_secrets=true" : "";
}
