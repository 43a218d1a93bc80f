using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using SkyServe.Providers.Local;

namespace SkyServe.Cli.Commands;

/// <summary>
/// `skyserve agent --model DIR --port N [...]`: the replica agent on its own, e.g. to serve a model without a
/// controller. The CLI does not compile against the agent: it runs the agent's own binary (agent/ beside the CLI,
/// <see cref="ReplicaAgentLocation"/>) as its child, with the same command line, stdin, stdout and stderr, passes
/// SIGTERM, SIGINT, SIGQUIT and SIGHUP on to it, and exits with its exit code.
/// </summary>
public static class AgentCommand
{
    public const string Name = "agent";

    private static readonly PosixSignal[] Forwarded = [PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT, PosixSignal.SIGHUP];

    /// <summary>For `skyserve --help`; Program.cs hands `skyserve agent ...` to <see cref="RunAsync"/> before parsing.</summary>
    public static Command Build()
    {
        var command = new Command(Name, "Run the replica agent (flags as SkyServe.ReplicaAgent; --help lists them)")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction((parse, _) => RunAsync(parse.UnmatchedTokens.ToList()));
        return command;
    }

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var dll = ReplicaAgentLocation.Dll();
        if (!File.Exists(dll))
            throw new CliException($"the replica agent was not found at {dll}: build the CLI with its solution (./skyserve does)");
        var info = new ProcessStartInfo(DotnetHost()) { UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var agent = Process.Start(info) ?? throw new CliException($"could not start {dll}");
        var registrations = Forwarded.Select(signal => PosixSignalRegistration.Create(signal, context =>
        {
            context.Cancel = true; // the agent decides: it drains on SIGTERM and Ctrl+C, and we exit when it does
            Signal(agent, context.Signal);
        })).ToList();
        try
        {
            await agent.WaitForExitAsync();
            return agent.ExitCode;
        }
        finally
        {
            foreach (var registration in registrations)
                registration.Dispose();
        }
    }

    /// <summary>The dotnet host that runs this CLI (`dotnet skyserve.dll`), else the one on PATH.</summary>
    private static string DotnetHost() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    private static void Signal(Process agent, PosixSignal signal)
    {
        var name = signal switch
        {
            PosixSignal.SIGTERM => "TERM",
            PosixSignal.SIGINT => "INT",
            PosixSignal.SIGQUIT => "QUIT",
            PosixSignal.SIGHUP => "HUP",
            _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, null),
        };
        try
        {
            if (agent.HasExited)
                return;
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + name, agent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false });
            kill?.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }
    }
}
