using System.CommandLine;
using SkyServe.Cli;
using SkyServe.Cli.Commands;

var global = new GlobalOptions();
var root = new RootCommand("skyserve: serve AI models on spot and on-demand GPUs across regions and clouds")
{
    global.Url,
    global.Token,
    ValidateCommand.Build(),
    LocalStartCommand.Build(),
    UpCommand.Build(global),
    StatusCommand.Build(global),
    UpdateCommand.Build(global),
    DownCommand.Build(global),
    ReplicasCommand.Build(global),
    EventsCommand.Build(global),
    LogsCommand.Build(global),
    AgentCommand.Build(),
    SimCommand.Build(),
    PackageCommand.Build(),
};

try
{
    // `skyserve agent ...` is the agent's own command line, run by its own binary: its flags, its --help, its exit code
    // (past System.CommandLine, which would end the CLI 2 s after a Ctrl+C while the agent still drains).
    if (args.Length > 0 && args[0] == AgentCommand.Name)
        return await AgentCommand.RunAsync(args[1..]);
    var parsed = root.Parse(args);
    // `skyserve sim` reports bad arguments with exit code 2 (a usage error), as scripts driving evaluations expect.
    if (parsed.Errors.Count > 0 && parsed.CommandResult.Command.Name == "sim")
    {
        foreach (var error in parsed.Errors)
            Console.Error.WriteLine($"error: {error.Message}");
        Console.Error.WriteLine("usage: skyserve sim --traces DIR [--policies LIST] [--repeats N] [--ticks N] [--cold-start S] [--extra N] [--seed S] [--json] (skyserve sim --help for all options)");
        return SimCommand.UsageExitCode;
    }
    // Our own handler prints CliException as one line; anything else is a bug and keeps its stack trace.
    return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (CliException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
