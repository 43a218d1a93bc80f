using System.Globalization;
using System.Net;
using SkyServe.Contracts.Agent;

namespace SkyServe.Providers.Docker;

/// <summary>
/// The ReplicaAgent's flags in a container (the command after the image's entrypoint): where it listens (the host's
/// address when that is an IP, else every address, on the container's own port of the host), its machine id and
/// readiness path, the metadata endpoint of the simulated spot market where it can reach one, and what it serves
/// (<see cref="AgentServingArguments"/>: the spec's model, or its <c>run:</c> on a free port, as on the local
/// runtime, since the containers of a host share its network).
/// </summary>
public static class DockerAgentCommand
{
    /// <summary>Where <c>setup:</c> and <c>run:</c> execute inside the container (writable whatever user the image runs as).</summary>
    public const string WorkDirectory = "/tmp/skyserve-work";

    /// <param name="modelPath">The model path as the container sees it (<see cref="DockerModelMount"/>); null without a model.</param>
    /// <param name="metadataUrl">The machine's metadata URL on the spot market's endpoint; null: no interruption watcher.</param>
    public static IReadOnlyList<string> For(AgentSettings agent, DockerHostOptions host, string machineId, int port, string? modelPath, string? metadataUrl)
    {
        var bind = IPAddress.TryParse(host.Address, out var address) ? address.ToString() : IPAddress.Any.ToString();
        var args = new List<string>
        {
            AgentFlags.Host, bind, AgentFlags.Port, port.ToString(CultureInfo.InvariantCulture),
            AgentFlags.MachineId, machineId, AgentFlags.ReadinessPath, agent.ReadinessPath,
        };
        if (metadataUrl is not null)
            args.AddRange([AgentFlags.MetadataUrl, metadataUrl, AgentFlags.MetadataFormat, MetadataFormats.Aws, AgentFlags.MetadataPollMs, "500"]);
        args.AddRange(AgentServingArguments.For(agent, modelPath, enginePort: 0, WorkDirectory));
        return args;
    }
}
