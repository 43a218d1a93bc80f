using System.CommandLine;

namespace SkyServe.Cli.Commands;

/// <summary>`skyserve update NAME FILE [--mode rolling|blue_green]`: submits a new version.</summary>
public static class UpdateCommand
{
    public static Command Build(GlobalOptions global)
    {
        var name = new Argument<string>("name") { Description = "Service name" };
        var file = new Argument<FileInfo>("file") { Description = "New service spec" };
        var mode = new Option<string>("--mode") { Description = "rolling (default) or blue_green", DefaultValueFactory = _ => "rolling" };
        mode.AcceptOnlyFromAmong("rolling", "blue_green");
        var command = new Command("update", "Update a service to a new version") { name, file, mode };
        command.SetAction(async (parse, ct) =>
        {
            using var client = global.Client(parse);
            var path = $"/api/v1/services/{Uri.EscapeDataString(parse.GetValue(name)!)}?mode={parse.GetValue(mode)}";
            var spec = await Uploads.TaskFileUploads.PrepareAsync(client, SpecFile.Read(parse.GetValue(file)!), ct);
            var service = await client.PutSpecAsync(path, spec, ct);
            Console.WriteLine($"Service {service["name"]} updated to version {service["version"]} ({parse.GetValue(mode)}).");
            return 0;
        });
        return command;
    }
}
