using SkyServe.Providers.Gcp;

namespace SkyServe.Providers.Tests.Gcp;

/// <summary>The conformance suite against the GCP provider and a loopback GCE: real HTTP, real OAuth JWT-bearer flow.</summary>
public sealed class GcpConformanceTests : CloudProviderConformance
{
    private GcpTestbed testbed = null!;

    protected override async Task<ICloudProvider> CreateProviderAsync()
    {
        testbed = await GcpTestbed.StartAsync();
        testbed.Gce.SetCapacity(GcpTestbed.DryZone, spot: true, instances: 0);
        return await testbed.ProviderAsync();
    }

    protected override OfferingKey SpotOffering => GcpTestbed.Offering(GcpTestbed.Zone, "n1-standard-4", spot: true);
    protected override OfferingKey OnDemandOffering => GcpTestbed.Offering(GcpTestbed.Zone, "n1-standard-4", spot: false);
    protected override OfferingKey DrySpotOffering => GcpTestbed.Offering(GcpTestbed.DryZone, "n1-standard-4", spot: true);
    protected override TimeSpan NoticeLead => TimeSpan.FromSeconds(30);

    protected override Task ExhaustQuotaAsync()
    {
        testbed.Gce.InstanceQuota = testbed.Gce.LiveInstances;
        return Task.CompletedTask;
    }

    protected override Task ReclaimAsync(string machineId)
    {
        var (zone, name) = (machineId.Split('/')[0], machineId.Split('/')[1]);
        testbed.Gce.Preempt(zone, name);
        return Task.CompletedTask;
    }

    protected override Task PassTimeAsync(TimeSpan span)
    {
        testbed.Gce.Clock.Advance(span);
        return Task.CompletedTask;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        ((GcpCloudProvider)Provider).Dispose();
        await testbed.DisposeAsync();
    }
}
