using System.CommandLine;

namespace SkyServe.Cli.Commands;

/// <summary>
/// `skyserve up FILE [-n NAME] [--env K=V] [--secret K=V] [--env-file F] [--secret-file F] [--infra ..] [--gpus ..]
/// [--use-spot] [-y]`: creates a service, taking `sky serve up`'s flags.
/// </summary>
public static class UpCommand
{
    public static Command Build(GlobalOptions global)
    {
        var file = new Argument<FileInfo>("file") { Description = "Service spec (YAML or JSON)" };
        var name = new Option<string?>("--service-name", "-n", "--name") { Description = "Service name (default: the spec's name, or a generated one)" };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation (accepted as sky serve up takes it; up does not ask)" };
        var inputs = new SpecInputOptions();
        var command = new Command("up", "Create a service from a spec") { file, name, yes };
        inputs.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var submission = Submission(parse, file, inputs);
            using var client = global.Client(parse);
            var query = parse.GetValue(name) is { } n ? $"?name={Uri.EscapeDataString(n)}" : "";
            await Uploads.TaskFileUploads.AddToAsync(client, submission, ct);
            var service = await client.PostSpecAsync($"/api/v1/services{query}", submission, ct);
            Console.WriteLine($"Service {service["name"]} created (version {service["version"]}, status {service["status"]}).");
            Console.WriteLine($"Watch it with: ./skyserve status {service["name"]}");
            return 0;
        });
        return command;
    }

    /// <summary>The one place up and update build what they send: the spec file's text and the values given beside it.</summary>
    internal static SpecSubmissionRequest Submission(ParseResult parse, Argument<FileInfo> file, SpecInputOptions inputs) =>
        new(SpecFile.Read(parse.GetValue(file)!)) { Inputs = inputs.Read(parse) };
}
