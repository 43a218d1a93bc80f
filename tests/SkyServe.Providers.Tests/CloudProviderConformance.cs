using SkyServe.Contracts.Notices;
using SkyServe.Providers;

namespace SkyServe.Providers.Tests;

/// <summary>
/// What every <see cref="ICloudProvider"/> must do (DESIGN.md section 7). A provider's test class derives
/// from this and supplies the provider and the few things only it can arrange (a dry zone, a reclaim).
/// </summary>
public abstract class CloudProviderConformance : IAsyncLifetime
{
    protected ICloudProvider Provider { get; private set; } = null!;
    private readonly List<string> launched = [];
    private readonly string run = Guid.NewGuid().ToString("N")[..8];

    /// <summary>A fresh provider for one test.</summary>
    protected abstract Task<ICloudProvider> CreateProviderAsync();
    /// <summary>A spot offering with spare capacity.</summary>
    protected abstract OfferingKey SpotOffering { get; }
    protected abstract OfferingKey OnDemandOffering { get; }
    /// <summary>A spot offering whose zone has no capacity now.</summary>
    protected abstract OfferingKey DrySpotOffering { get; }
    /// <summary>Makes the next launch fail for quota.</summary>
    protected abstract Task ExhaustQuotaAsync();
    /// <summary>Has the cloud reclaim the machine (with notice), as a capacity shortage would.</summary>
    protected abstract Task ReclaimAsync(string machineId);
    /// <summary>Lets the provider's time pass (emulators may fast-forward).</summary>
    protected abstract Task PassTimeAsync(TimeSpan span);
    /// <summary>The longest a reclaim's notice runs before the machine is gone.</summary>
    protected abstract TimeSpan NoticeLead { get; }
    /// <summary>
    /// False where the cloud announces a reclaim only inside the machine (Azure's Scheduled Events): the notice then
    /// reaches the controller through the replica's agent, and the provider's stream stays empty.
    /// </summary>
    protected virtual bool AnnouncesReclaims => true;

    public async Task InitializeAsync() => Provider = await CreateProviderAsync();

    public virtual async Task DisposeAsync()
    {
        foreach (var id in launched)
            await Provider.TerminateAsync(id, CancellationToken.None);
        if (Provider is IAsyncDisposable disposable)
            await disposable.DisposeAsync();
    }

    protected async Task<CloudMachine> LaunchAsync(OfferingKey offering, string? token = null, Dictionary<string, string>? tags = null)
    {
        var request = new LaunchRequest(token ?? $"{run}-{Guid.NewGuid():N}", offering,
            tags ?? new Dictionary<string, string> { [MachineTags.ManagedBy] = $"conformance-{run}" });
        var machine = await Provider.LaunchAsync(request, CancellationToken.None);
        launched.Add(machine.Id);
        return machine;
    }

    private Dictionary<string, string> Tags(string service) => new()
    {
        [MachineTags.ManagedBy] = $"conformance-{run}",
        [MachineTags.Service] = service,
    };

    [Fact]
    public async Task Offerings_have_prices_and_spot_is_cheaper()
    {
        var offerings = await Provider.ListOfferingsAsync(CancellationToken.None);
        var spot = Assert.Single(offerings, o => o.Key == SpotOffering);
        var onDemand = Assert.Single(offerings, o => o.Key == SpotOffering with { Spot = false });
        Assert.True(spot.PricePerHour > 0);
        Assert.True(spot.PricePerHour < onDemand.PricePerHour);
        Assert.True(spot.Available);
    }

    [Fact]
    public async Task Launch_is_idempotent_by_client_token()
    {
        var token = $"{run}-same";
        var first = await LaunchAsync(SpotOffering, token, Tags("idem"));
        var second = await LaunchAsync(SpotOffering, token, Tags("idem"));
        Assert.Equal(first.Id, second.Id);
        Assert.Single(await Provider.ListAsync(Tags("idem"), CancellationToken.None));
    }

    [Fact]
    public async Task Terminate_is_idempotent_and_not_found_is_success()
    {
        var machine = await LaunchAsync(OnDemandOffering);
        await Provider.TerminateAsync(machine.Id, CancellationToken.None);
        await Provider.TerminateAsync(machine.Id, CancellationToken.None);
        await Provider.TerminateAsync("never-existed", CancellationToken.None);
        Assert.Null(await Provider.GetAsync(machine.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Machines_carry_their_tags_and_are_listed_by_them()
    {
        var a = await LaunchAsync(OnDemandOffering, tags: Tags("alpha"));
        var b = await LaunchAsync(SpotOffering, tags: Tags("beta"));
        var alpha = Assert.Single(await Provider.ListAsync(Tags("alpha"), CancellationToken.None));
        Assert.Equal(a.Id, alpha.Id);
        Assert.Equal("alpha", alpha.Tags[MachineTags.Service]);
        var all = await Provider.ListAsync(new Dictionary<string, string> { [MachineTags.ManagedBy] = $"conformance-{run}" }, CancellationToken.None);
        Assert.Equal(new[] { a.Id, b.Id }.Order(), all.Select(m => m.Id).Order());
        var got = await Provider.GetAsync(b.Id, CancellationToken.None);
        Assert.NotNull(got);
        Assert.Equal(SpotOffering, got.Offering);
        Assert.Null(await Provider.GetAsync("never-existed", CancellationToken.None));
    }

    [Fact]
    public async Task Spot_launch_without_capacity_is_typed_and_shuns_the_offering()
    {
        var error = await Assert.ThrowsAsync<CloudProviderException>(() => LaunchAsync(DrySpotOffering));
        Assert.Equal(CloudErrorKind.InsufficientCapacity, error.Kind);
        var offerings = await Provider.ListOfferingsAsync(CancellationToken.None);
        Assert.False(Assert.Single(offerings, o => o.Key == DrySpotOffering).Available);
        // On-demand in the same zone is unaffected.
        Assert.True(Assert.Single(offerings, o => o.Key == DrySpotOffering with { Spot = false }).Available);
    }

    [Fact]
    public async Task Unknown_instance_type_is_an_invalid_request()
    {
        var error = await Assert.ThrowsAsync<CloudProviderException>(() => LaunchAsync(OnDemandOffering with { InstanceType = "no-such-type" }));
        Assert.Equal(CloudErrorKind.InvalidRequest, error.Kind);
    }

    [Fact]
    public async Task Quota_is_a_typed_error()
    {
        await ExhaustQuotaAsync();
        var error = await Assert.ThrowsAsync<CloudProviderException>(() => LaunchAsync(OnDemandOffering));
        Assert.Equal(CloudErrorKind.QuotaExceeded, error.Kind);
    }

    [Fact]
    public async Task A_reclaim_is_announced_on_the_notice_stream_before_the_machine_goes()
    {
        await using var notices = new NoticeCollector(Provider);
        var machine = await LaunchAsync(SpotOffering);
        await ReclaimAsync(machine.Id);
        if (!AnnouncesReclaims)
        {
            Assert.NotNull(await Provider.GetAsync(machine.Id, CancellationToken.None)); // still there during the notice
            await PassTimeAsync(NoticeLead + TimeSpan.FromSeconds(1));
            Assert.Null(await Provider.GetAsync(machine.Id, CancellationToken.None));
            Assert.Empty(notices.Now());
            return;
        }
        var notice = Assert.Single(await notices.AtLeastAsync(1));
        Assert.Equal(machine.Id, notice.MachineId);
        Assert.Equal(InterruptionKind.Preemption, notice.Kind);
        Assert.True(notice.Deadline > notice.ReceivedAt);
        Assert.NotNull(await Provider.GetAsync(machine.Id, CancellationToken.None)); // still there during the notice
        await PassTimeAsync(NoticeLead + TimeSpan.FromSeconds(1));
        Assert.Null(await Provider.GetAsync(machine.Id, CancellationToken.None));
    }
}
