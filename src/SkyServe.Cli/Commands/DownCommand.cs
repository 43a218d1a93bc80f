using System.CommandLine;
using System.Text.Json.Nodes;

namespace SkyServe.Cli.Commands;

/// <summary>`skyserve down NAME... [--purge]` or `skyserve down --all [-y]`: tears services down.</summary>
public static class DownCommand
{
    public static Command Build(GlobalOptions global)
    {
        var names = new Argument<string[]>("name") { Description = "Service names", Arity = ArgumentArity.ZeroOrMore };
        var all = new Option<bool>("--all", "-a") { Description = "Tear down every service" };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation (--all asks otherwise)" };
        var purge = new Option<bool>("--purge") { Description = "Remove the services' records now, even if cleanup failed" };
        var command = new Command("down", "Tear services down") { names, all, yes, purge };
        command.SetAction(async (parse, ct) =>
        {
            var given = parse.GetValue(names) ?? [];
            var everything = parse.GetValue(all);
            if (everything == given.Length > 0)
                throw new CliException(everything ? "give service names or --all, not both" : "give a service name, or --all to tear down every service");
            using var client = global.Client(parse);
            var services = everything
                ? (await client.GetAllPagesAsync("/api/v1/services", ct)).Select(s => (string)s!["name"]!).ToArray()
                : given;
            if (everything)
            {
                if (services.Length == 0)
                {
                    Console.WriteLine("No services to tear down.");
                    return 0;
                }
                if (!parse.GetValue(yes) && !Confirm($"Tear down {services.Length} service(s): {string.Join(", ", services)}? [y/N] "))
                {
                    Console.Error.WriteLine("Aborted: nothing was torn down (pass -y to skip this question).");
                    return 1;
                }
            }
            var query = parse.GetValue(purge) ? "?purge=true" : "";
            foreach (var service in services)
            {
                var result = await client.DeleteAsync($"/api/v1/services/{Uri.EscapeDataString(service)}{query}", ct);
                Console.WriteLine(result["deleted"]?.GetValue<bool>() == true
                    ? $"Service {service} deleted."
                    : $"Service {service} is shutting down; its replicas are being terminated.");
            }
            return 0;
        });
        return command;
    }

    /// <summary>Asks on the terminal; no answer (end of input) is no.</summary>
    private static bool Confirm(string question)
    {
        Console.Write(question);
        var answer = Console.In.ReadLine()?.Trim();
        return answer is not null && (answer.Equals("y", StringComparison.OrdinalIgnoreCase) || answer.Equals("yes", StringComparison.OrdinalIgnoreCase));
    }
}
