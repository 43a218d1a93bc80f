using Azure.Core;

namespace SkyServe.Providers.Tests.Azure;

/// <summary>
/// The conformance suite against the Azure provider and a loopback ARM: the real SDK pipeline over TLS, tokens from Azure.Identity.
/// Azure tells only the VM of an eviction, so the provider's notice stream stays empty and the reclaim test checks just that
/// the VM is there during the notice and gone after it.
/// </summary>
public sealed class AzureConformanceTests : CloudProviderConformance
{
    private AzureTestbed testbed = null!;

    protected override async Task<ICloudProvider> CreateProviderAsync()
    {
        testbed = await AzureTestbed.StartAsync();
        testbed.Arm.SetCapacity(AzureTestbed.Region, "2", spot: true, vms: 0);
        return testbed.Provider();
    }

    protected override OfferingKey SpotOffering => AzureTestbed.Offering(AzureTestbed.Zone, "Standard_NC4as_T4_v3", spot: true);
    protected override OfferingKey OnDemandOffering => AzureTestbed.Offering(AzureTestbed.Zone, "Standard_NC4as_T4_v3", spot: false);
    protected override OfferingKey DrySpotOffering => AzureTestbed.Offering(AzureTestbed.DryZone, "Standard_NC4as_T4_v3", spot: true);
    protected override TimeSpan NoticeLead => TimeSpan.FromSeconds(30);
    protected override bool AnnouncesReclaims => false;

    protected override Task ExhaustQuotaAsync()
    {
        testbed.Arm.VmQuota = testbed.Arm.LiveVms;
        return Task.CompletedTask;
    }

    protected override Task ReclaimAsync(string machineId)
    {
        testbed.Arm.Evict(new ResourceIdentifier(machineId).Name);
        return Task.CompletedTask;
    }

    protected override Task PassTimeAsync(TimeSpan span)
    {
        testbed.Arm.Clock.Advance(span);
        return Task.CompletedTask;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await testbed.DisposeAsync();
    }
}
