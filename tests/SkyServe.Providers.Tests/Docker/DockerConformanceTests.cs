using SkyServe.Providers.Docker;
using SkyServe.Providers.Local;
using SkyServe.Testing;

namespace SkyServe.Providers.Tests.Docker;

/// <summary>
/// The conformance suite against the Docker provider on a real dockerd (<see cref="Dockerd"/>), with the stand-in agent
/// image: two zones on the one daemon (a dry one for spot), a scripted spot capacity, and a hand-driven clock for the
/// market's notices.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class DockerConformanceTests(Dockerd dockerd) : CloudProviderConformance
{
    private const string Zone = "box-a";
    private const string DryZone = "box-b";
    private readonly ManualClock clock = new();
    private readonly ScriptedSpotCapacity capacity = new(8);
    private DockerProviderOptions options = null!;
    private DockerCloudProvider docker = null!;

    protected override async Task<ICloudProvider> CreateProviderAsync()
    {
        options = DockerTestHosts.Options(dockerd, DockerTestHosts.Host(dockerd, Zone, maxContainers: 3), DockerTestHosts.Host(dockerd, DryZone));
        docker = await DockerCloudProvider.StartAsync(options,
            new Dictionary<string, ISpotCapacity> { [Zone] = capacity, [DryZone] = new ScriptedSpotCapacity(0) }, clock);
        return docker;
    }

    protected override OfferingKey SpotOffering => DockerTestHosts.Cpu(Zone, spot: true);
    protected override OfferingKey OnDemandOffering => DockerTestHosts.Cpu(Zone, spot: false);
    protected override OfferingKey DrySpotOffering => DockerTestHosts.Cpu(DryZone, spot: true);
    protected override TimeSpan NoticeLead => TimeSpan.FromSeconds(30);

    protected override async Task ExhaustQuotaAsync()
    {
        for (var i = 0; i < 3; i++)
            await LaunchAsync(OnDemandOffering);
    }

    protected override async Task ReclaimAsync(string machineId)
    {
        var live = await docker.ListAsync(new Dictionary<string, string>(), CancellationToken.None);
        capacity.Capacity = live.Count(m => m.Offering.Spot && m.Offering.Zone == Zone) - 1;
        await docker.StepMarketAsync();
    }

    protected override async Task PassTimeAsync(TimeSpan span)
    {
        clock.Advance(span);
        await docker.StepMarketAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        // Every container the test made is gone: terminated by the suite, or removed by the market.
        Assert.Empty(await dockerd.ContainersAsync($"{DockerLabels.Deployment}={options.Deployment}"));
    }
}
