using SkyServe.Providers.Local;
using SkyServe.Providers.MultiCloud;
using SkyServe.Testing;

namespace SkyServe.Providers.Tests;

/// <summary>
/// The conformance suite against a <see cref="CloudProviderSet"/> of two real local runtimes, one serving a simulated
/// AWS and one a simulated GCP: the set must keep the contract while routing every call to the right member.
/// </summary>
public sealed class ProviderSetConformanceTests : CloudProviderConformance
{
    private const string AwsZone = "aws/us-east-1/us-east-1a";
    private const string GcpZone = "gcp/us-central1/us-central1-a";
    private const string DryGcpZone = "gcp/us-central1/us-central1-b";
    private readonly TempDirectory awsState = new();
    private readonly TempDirectory gcpState = new();
    private readonly ManualClock clock = new();
    private readonly ScriptedSpotCapacity gcpCapacity = new(8);
    private LocalCloudProvider aws = null!;
    private LocalCloudProvider gcp = null!;

    protected override async Task<ICloudProvider> CreateProviderAsync()
    {
        aws = await LocalCloudProvider.StartAsync(LocalRuntime.Options(awsState.Path), LocalRuntime.Market((AwsZone, new ScriptedSpotCapacity(8))), clock);
        gcp = await LocalCloudProvider.StartAsync(LocalRuntime.Options(gcpState.Path) with { MaxMachines = 3 },
            LocalRuntime.Market((GcpZone, gcpCapacity), (DryGcpZone, new ScriptedSpotCapacity(0))), clock);
        return new CloudProviderSet(new Dictionary<string, ICloudProvider> { ["aws"] = aws, ["gcp"] = gcp });
    }

    protected override OfferingKey SpotOffering => LocalRuntime.Cpu(GcpZone, spot: true);
    protected override OfferingKey OnDemandOffering => LocalRuntime.Cpu(GcpZone, spot: false);
    protected override OfferingKey DrySpotOffering => LocalRuntime.Cpu(DryGcpZone, spot: true);
    protected override TimeSpan NoticeLead => TimeSpan.FromSeconds(30);

    protected override async Task ExhaustQuotaAsync()
    {
        for (var i = 0; i < 3; i++)
            await LaunchAsync(OnDemandOffering);
    }

    protected override async Task ReclaimAsync(string machineId)
    {
        var live = await gcp.ListAsync(new Dictionary<string, string>(), CancellationToken.None);
        gcpCapacity.Capacity = live.Count(m => m.Offering.Spot && m.Offering.Zone == "us-central1-a") - 1;
        await gcp.StepAsync();
    }

    protected override async Task PassTimeAsync(TimeSpan span)
    {
        clock.Advance(span);
        await aws.StepAsync();
        await gcp.StepAsync();
    }

    [Fact]
    public async Task Each_launch_goes_to_the_member_of_its_cloud_and_ids_find_their_way_back()
    {
        var onAws = await LaunchAsync(LocalRuntime.Cpu(AwsZone, spot: true));
        var onGcp = await LaunchAsync(SpotOffering);
        Assert.StartsWith("aws:", onAws.Id);
        Assert.StartsWith("gcp:", onGcp.Id);
        Assert.Single(await aws.ListAsync(new Dictionary<string, string>(), CancellationToken.None));
        Assert.Equal(onAws.Offering, (await Provider.GetAsync(onAws.Id, CancellationToken.None))!.Offering);

        await Provider.TerminateAsync(onAws.Id, CancellationToken.None);
        Assert.Null(await Provider.GetAsync(onAws.Id, CancellationToken.None));
        Assert.NotNull(await Provider.GetAsync(onGcp.Id, CancellationToken.None));
        Assert.Null(await Provider.GetAsync("azure:vm-1", CancellationToken.None)); // no such member: no such machine
        await Provider.TerminateAsync("no-member-id", CancellationToken.None);

        var error = await Assert.ThrowsAsync<CloudProviderException>(() => Provider.LaunchAsync(
            new LaunchRequest("t", LocalRuntime.Cpu("azure/eastus/eastus-1", spot: true), new Dictionary<string, string>()), CancellationToken.None));
        Assert.Equal(CloudErrorKind.InvalidRequest, error.Kind);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        awsState.Dispose();
        gcpState.Dispose();
    }
}
