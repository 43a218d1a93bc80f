namespace SkyServe.Providers.Tests.Aws;

/// <summary>
/// The conformance suite against the AWS provider talking to the EC2 emulator over HTTP: signed Query API
/// calls, XML answers, spot reclaims announced on the emulated EventBridge → SQS interruption queue.
/// </summary>
public sealed class AwsConformanceTests : CloudProviderConformance
{
    private AwsTestCloud cloud = null!;

    protected override async Task<ICloudProvider> CreateProviderAsync()
    {
        cloud = await AwsTestCloud.StartAsync();
        cloud.World.SetSpotCapacity("us-east-1b", 0);
        return cloud.Provider();
    }

    protected override OfferingKey SpotOffering => AwsTestCloud.Key("us-east-1a", "g4dn.xlarge", spot: true);
    protected override OfferingKey OnDemandOffering => AwsTestCloud.Key("us-east-1a", "g4dn.xlarge", spot: false);
    protected override OfferingKey DrySpotOffering => AwsTestCloud.Key("us-east-1b", "g4dn.xlarge", spot: true);
    protected override TimeSpan NoticeLead => TimeSpan.FromMinutes(2);

    protected override Task ExhaustQuotaAsync()
    {
        cloud.World.SetVcpuLimits(onDemand: 0, spot: null);
        return Task.CompletedTask;
    }

    protected override Task ReclaimAsync(string machineId)
    {
        cloud.World.Reclaim(machineId);
        return Task.CompletedTask;
    }

    protected override Task PassTimeAsync(TimeSpan span)
    {
        cloud.Clock.Advance(span);
        return Task.CompletedTask;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await cloud.DisposeAsync();
    }
}
