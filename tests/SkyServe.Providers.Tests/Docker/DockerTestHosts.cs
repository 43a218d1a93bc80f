using SkyServe.Providers.Docker;
using SkyServe.Testing;

namespace SkyServe.Providers.Tests.Docker;

/// <summary>Provider settings over the test's dockerd: zones that are all that one daemon, told apart by their labels.</summary>
public static class DockerTestHosts
{
    public static DockerHostOptions Host(Dockerd dockerd, string zone, int maxContainers = 16) =>
        new() { Zone = zone, Endpoint = dockerd.Endpoint, Address = "127.0.0.1", MaxContainers = maxContainers };

    /// <summary>A deployment name of the test's own, so that no test sees another's containers.</summary>
    public static DockerProviderOptions Options(Dockerd dockerd, params DockerHostOptions[] hosts) => new()
    {
        Hosts = [.. hosts.Length > 0 ? hosts : [Host(dockerd, "box-a")]],
        Image = StandInAgentImage.Reference,
        Deployment = "t-" + Guid.NewGuid().ToString("N")[..10],
        AgentPorts = "31600-31999",
        StopGrace = TimeSpan.FromSeconds(20),
        Spot = new DockerSpotOptions { MarketInterval = TimeSpan.Zero, NoticeLead = TimeSpan.FromSeconds(30) },
    };

    public static OfferingKey Cpu(string zone, bool spot) => new(DockerCloud.Name, zone, zone, DockerInstanceType.DefaultCpu.Name, spot);
}
