using SkyServe.Providers.Local;
using SkyServe.Testing;

namespace SkyServe.Providers.Tests;

/// <summary>The conformance suite against the Local provider: real agent processes, a hand-driven clock and market.</summary>
public sealed class LocalConformanceTests : CloudProviderConformance
{
    private const string Zone = "aws/us-east-1/us-east-1a";
    private const string DryZone = "aws/us-east-1/us-east-1b";
    private readonly TempDirectory state = new();
    private readonly ManualClock clock = new();
    private readonly ScriptedSpotCapacity capacity = new(8);
    private LocalCloudProvider local = null!;

    protected override async Task<ICloudProvider> CreateProviderAsync()
    {
        var market = LocalRuntime.Market((Zone, capacity), (DryZone, new ScriptedSpotCapacity(0)));
        local = await LocalCloudProvider.StartAsync(LocalRuntime.Options(state.Path) with { MaxMachines = 3 }, market, clock);
        return local;
    }

    protected override OfferingKey SpotOffering => LocalRuntime.Cpu(Zone, spot: true);
    protected override OfferingKey OnDemandOffering => LocalRuntime.Cpu(Zone, spot: false);
    protected override OfferingKey DrySpotOffering => LocalRuntime.Cpu(DryZone, spot: true);
    protected override TimeSpan NoticeLead => TimeSpan.FromSeconds(30);

    protected override async Task ExhaustQuotaAsync()
    {
        for (var i = 0; i < 3; i++)
            await LaunchAsync(OnDemandOffering);
    }

    protected override async Task ReclaimAsync(string machineId)
    {
        var live = await local.ListAsync(new Dictionary<string, string>(), CancellationToken.None);
        capacity.Capacity = live.Count(m => m.Offering.Spot && m.Offering.Zone == "us-east-1a") - 1;
        await local.StepAsync();
    }

    protected override async Task PassTimeAsync(TimeSpan span)
    {
        clock.Advance(span);
        await local.StepAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        state.Dispose();
    }
}
