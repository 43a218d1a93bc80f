using System.CommandLine;

namespace SkyServe.Cli.Commands;

/// <summary>
/// `skyserve update NAME FILE [--mode rolling|blue_green] [--env K=V] [--secret K=V] [--infra ..] [--gpus ..] ...`:
/// submits a new version, with the same flags as up.
/// </summary>
public static class UpdateCommand
{
    public static Command Build(GlobalOptions global)
    {
        var name = new Argument<string>("name") { Description = "Service name" };
        var file = new Argument<FileInfo>("file") { Description = "New service spec" };
        var mode = new Option<string>("--mode") { Description = "rolling (default) or blue_green", DefaultValueFactory = _ => "rolling" };
        mode.AcceptOnlyFromAmong("rolling", "blue_green");
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation (accepted as sky serve update takes it; update does not ask)" };
        var inputs = new SpecInputOptions();
        var command = new Command("update", "Update a service to a new version") { name, file, mode, yes };
        inputs.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var submission = UpCommand.Submission(parse, file, inputs);
            using var client = global.Client(parse);
            var path = $"/api/v1/services/{Uri.EscapeDataString(parse.GetValue(name)!)}?mode={parse.GetValue(mode)}";
            await Uploads.TaskFileUploads.AddToAsync(client, submission, ct);
            var service = await client.PutSpecAsync(path, submission, ct);
            Console.WriteLine($"Service {service["name"]} updated to version {service["version"]} ({parse.GetValue(mode)}).");
            return 0;
        });
        return command;
    }
}
