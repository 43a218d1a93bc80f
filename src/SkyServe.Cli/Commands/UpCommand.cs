using System.CommandLine;

namespace SkyServe.Cli.Commands;

/// <summary>`skyserve up FILE [-n NAME]`: creates a service.</summary>
public static class UpCommand
{
    public static Command Build(GlobalOptions global)
    {
        var file = new Argument<FileInfo>("file") { Description = "Service spec (YAML or JSON)" };
        var name = new Option<string?>("--name", "-n") { Description = "Service name (default: the spec's name, or a generated one)" };
        var command = new Command("up", "Create a service from a spec") { file, name };
        command.SetAction(async (parse, ct) =>
        {
            using var client = global.Client(parse);
            var query = parse.GetValue(name) is { } n ? $"?name={Uri.EscapeDataString(n)}" : "";
            var spec = await Uploads.TaskFileUploads.PrepareAsync(client, SpecFile.Read(parse.GetValue(file)!), ct);
            var service = await client.PostSpecAsync($"/api/v1/services{query}", spec, ct);
            Console.WriteLine($"Service {service["name"]} created (version {service["version"]}, status {service["status"]}).");
            Console.WriteLine($"Watch it with: ./skyserve status {service["name"]}");
            return 0;
        });
        return command;
    }
}
