using SkyServe.Contracts.Agent;
using System.Globalization;

namespace SkyServe.Providers.Local;

/// <summary>
/// The command line of a local machine's ReplicaAgent, from the launch's <see cref="AgentSettings"/>: where it
/// listens, its readiness path and metadata endpoint, and what it serves — the built-in engine with the spec's
/// model (<c>--model</c>, resolved against <see cref="LocalProviderOptions.ModelRoot"/> when relative), or the spec's
/// <c>run:</c> after its <c>setup:</c> (<c>--run</c>, <c>--setup</c>, in a work directory of the machine's own).
/// </summary>
public static class AgentArguments
{
    /// <param name="homeDirectory">
    /// The machine's own home (<c>~</c> of its workdir and file mounts, and $HOME of setup and run): the machines of the
    /// local runtime share one host, so each gets a folder of its own; null: the host user's.
    /// </param>
    public static IReadOnlyList<string> For(string agentDll, LocalMachine machine, string metadataUrl, string workDirectory, string? modelRoot,
        string? homeDirectory = null)
    {
        var agent = machine.Agent;
        var args = new List<string>(Launcher(agentDll))
        {
            AgentFlags.Port, Text(machine.Port), AgentFlags.MachineId, machine.Id,
            AgentFlags.ReadinessPath, agent.ReadinessPath,
            AgentFlags.ReadyDelayMs, Text((long)agent.ReadyDelay.TotalMilliseconds),
            AgentFlags.MetadataUrl, metadataUrl, AgentFlags.MetadataFormat, AgentProcess.MetadataFormat(machine.Offering.Cloud), AgentFlags.MetadataPollMs, "250",
            AgentFlags.OrphanExitAfterMs, Text((long)OrphanExitAfter.TotalMilliseconds),
        };
        // Every machine of the local runtime shares this host: a port named in the spec would collide between
        // replicas, so the agent picks a free one and gives it to the engine as $PORT / $SKYSERVE_REPLICA_PORT.
        var modelPath = agent.Model is { } model ? ResolveModelPath(model.Path, modelRoot) : null;
        args.AddRange(AgentServingArguments.For(agent, modelPath, enginePort: 0, workDirectory));
        if ((agent.Run is not null || (agent.Model is not null && !agent.TaskFiles.IsEmpty)) && homeDirectory is not null)
            args.AddRange([AgentFlags.Home, homeDirectory]);
        return args;
    }

    /// <summary>
    /// The command that starts the agent: <c>dotnet AGENT.dll</c> for a framework-dependent build (a checkout's), or the
    /// agent's own executable beside the dll for a self-contained publish (its runtimeconfig.json lists
    /// <c>includedFrameworks</c>), as the controller's container image ships it, with no <c>dotnet</c> to run it.
    /// </summary>
    public static IReadOnlyList<string> Launcher(string agentDll)
    {
        var executable = Path.ChangeExtension(agentDll, null);
        var runtimeConfig = Path.ChangeExtension(agentDll, ".runtimeconfig.json");
        return File.Exists(executable) && File.Exists(runtimeConfig)
            && File.ReadAllText(runtimeConfig).Contains("\"includedFrameworks\"", StringComparison.Ordinal)
            ? [executable]
            : ["dotnet", agentDll];
    }

    /// <summary>
    /// A relative model path is relative to <paramref name="modelRoot"/> (the folder holding config/, so that
    /// <c>models/tiny-chat</c> in a spec means the checkout's models/tiny-chat), or to the working directory when
    /// there is none; absolute paths and URLs (<c>scheme://...</c>) are left alone.
    /// </summary>
    public static string ResolveModelPath(string path, string? modelRoot)
    {
        if (path.Contains("://", StringComparison.Ordinal) || Path.IsPathRooted(path))
            return path;
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.TrimStart('~').TrimStart('/'));
        return Path.GetFullPath(path, modelRoot ?? Directory.GetCurrentDirectory());
    }

    /// <summary>
    /// An agent whose metadata endpoint (this runtime's, served by one of the controller processes sharing it) has failed
    /// this long is an orphan of a runtime that is gone, and exits with its engine. Long enough for another controller to
    /// take the endpoint over, or for the controller to be restarted: either serves it again on the same port and takes
    /// the machines back.
    /// </summary>
    public static readonly TimeSpan OrphanExitAfter = TimeSpan.FromMinutes(10);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
