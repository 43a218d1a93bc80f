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
};

try
{
    // Our own handler prints CliException as one line; anything else is a bug and keeps its stack trace.
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (CliException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
