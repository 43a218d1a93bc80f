using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
using SkyServe.Controller.Hosting;

namespace SkyServe.Cli.Commands;

/// <summary>
/// `skyserve local down`: terminates every replica machine of the local runtime. Machines outlive the
/// controller (as cloud machines do), so stopping `local start` alone leaves them running.
/// </summary>
public static class LocalDownCommand
{
    public static Command Build()
    {
        var dataDir = new Option<string?>("--data-dir") { Description = $"Data directory (default {SkyServeHome.DefaultDataDirectory})" };
        var command = new Command("down", "Terminate every replica machine of the local runtime") { dataDir };
        command.SetAction(async (parse, ct) =>
        {
            var options = new ControllerOptions { DataDirectory = Path.GetFullPath(parse.GetValue(dataDir) ?? SkyServeHome.DefaultDataDirectory) };
            await using var provider = await LocalRuntimeSetup.StartAsync(options, NullLogger.Instance);
            var count = await provider.TerminateAllAsync(ct);
            Console.WriteLine($"Terminated {count} local machine(s).");
            return 0;
        });
        return command;
    }
}
