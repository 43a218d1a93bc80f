using System.CommandLine;
using System.Text.Json.Nodes;
using SkyServe.Core.Spec;

namespace SkyServe.Cli.Commands;

/// <summary>
/// `skyserve status [NAME] [--all] [--json] [--show-secrets]` or `skyserve status --endpoint NAME`: services with their cost, cost per hour and saving against
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
        var showSecrets = new Option<bool>("--show-secrets") { Description = "Show the values of the spec's envs (hidden by default; secrets never show)" };
        var endpoint = new Option<bool>("--endpoint") { Description = "Print only the service's endpoint URL (needs a name), as sky serve status --endpoint" };
        var command = new Command("status", "Show services and their replicas") { name, all, json, showSecrets, endpoint };
        command.SetAction(async (parse, ct) =>
        {
            using var client = global.Client(parse);
            if (parse.GetValue(endpoint))
                return await PrintEndpointAsync(client, parse.GetValue(name), ct);
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

    private static async Task<int> PrintEndpointAsync(ControllerClient client, string? service, CancellationToken ct)
    {
        if (service is null)
            throw new CliException("--endpoint needs a service name: skyserve status --endpoint NAME");
        var detail = await client.GetAsync($"/api/v1/services/{Uri.EscapeDataString(service)}", ct);
        if (detail["endpoint"] is not JsonValue value || value.GetValue<string>() is not { Length: > 0 } url)
            throw new CliException($"service {service} has no endpoint yet");
        Console.WriteLine(url);
        return 0;
    }

    private static string ShowSecretsQuery(bool show) => show ? "?show_secrets=true" : "";
}
