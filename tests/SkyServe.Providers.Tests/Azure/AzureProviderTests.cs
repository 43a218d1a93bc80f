using Azure.Core;
using Azure.ResourceManager;
using Azure.ResourceManager.Compute;
using SkyServe.Providers.Azure;

namespace SkyServe.Providers.Tests.Azure;

/// <summary>Idempotency, paging, slow provisioning, terminate and eviction of the Azure provider against the ARM emulator.</summary>
public sealed class AzureProviderTests : IAsyncLifetime
{
    private AzureTestbed testbed = null!;
    private AzureCloudProvider provider = null!;

    public async Task InitializeAsync()
    {
        testbed = await AzureTestbed.StartAsync(o => o with { PageSize = 2 });
        provider = testbed.Provider();
    }

    public async Task DisposeAsync() => await testbed.DisposeAsync();

    private static Dictionary<string, string> Tags(string service) => new() { [MachineTags.ManagedBy] = "skyserve", [MachineTags.Service] = service };

    private static LaunchRequest Request(string token, bool spot = true, string service = "chat", string zone = AzureTestbed.Zone) =>
        new(token, AzureTestbed.Offering(zone, "Standard_NC4as_T4_v3", spot), Tags(service));

    [Fact]
    public async Task A_repeated_launch_of_one_token_finds_its_vm_instead_of_putting_another()
    {
        var first = await provider.LaunchAsync(Request("token-once"), CancellationToken.None);
        var again = await provider.LaunchAsync(Request("token-once"), CancellationToken.None);
        Assert.Equal(first.Id, again.Id);
        Assert.Equal("token-once", again.ClientToken);
        Assert.Single(testbed.Arm.Requests, r => r.Method == "PUT");
        Assert.Equal(1, testbed.Arm.LiveVms);
    }

    [Fact]
    public async Task Concurrent_launches_of_one_token_make_one_vm()
    {
        var machines = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => provider.LaunchAsync(Request("token-race"), CancellationToken.None)));
        Assert.Single(machines.Select(m => m.Id).Distinct());
        Assert.Equal(1, testbed.Arm.LiveVms);
    }

    [Fact]
    public async Task Listing_follows_next_links_and_filters_by_tag()
    {
        var launched = new List<CloudMachine>();
        for (var i = 0; i < 5; i++)
            launched.Add(await provider.LaunchAsync(Request($"token-page-{i}", service: "paged"), CancellationToken.None));
        await provider.LaunchAsync(Request("token-other", service: "other"), CancellationToken.None);

        var listed = await provider.ListAsync(Tags("paged"), CancellationToken.None);
        Assert.Equal(launched.Select(m => m.Id).Order(), listed.Select(m => m.Id).Order());
        Assert.All(listed, m => Assert.Equal("paged", m.Tags[MachineTags.Service]));
        var pages = testbed.Arm.Requests.Where(r => r.Method == "GET" && r.Path.EndsWith("/virtualMachines", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, pages.Count); // 6 VMs, 2 per page
        Assert.All(pages.Skip(1), p => Assert.Contains("$skiptoken=", p.Query, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_vm_still_provisioning_after_the_launch_wait_is_returned_pending_and_followed_by_get()
    {
        await using var slow = await AzureTestbed.StartAsync(o => o with { OperationDuration = TimeSpan.FromSeconds(1) });
        var impatient = slow.Provider(slow.Options with { LaunchWait = TimeSpan.FromMilliseconds(100) });
        var machine = await impatient.LaunchAsync(Request("token-slow"), CancellationToken.None);
        Assert.Equal(MachineState.Pending, machine.State);
        Assert.Null(machine.Endpoint);
        await Task.Delay(1200);
        var running = await impatient.GetAsync(machine.Id, CancellationToken.None);
        Assert.Equal(MachineState.Running, running!.State);
        Assert.NotNull(running.Endpoint);
    }

    [Fact]
    public async Task A_vm_whose_allocation_fails_after_the_launch_wait_is_gone_for_get_and_deleted()
    {
        await using var slow = await AzureTestbed.StartAsync(o => o with { OperationDuration = TimeSpan.FromMilliseconds(400) });
        slow.Arm.SetCapacity(AzureTestbed.Region, "1", spot: true, vms: 0);
        var impatient = slow.Provider(slow.Options with { LaunchWait = TimeSpan.FromMilliseconds(50) });
        var machine = await impatient.LaunchAsync(Request("token-late-failure"), CancellationToken.None);
        Assert.Equal(MachineState.Pending, machine.State);
        await Task.Delay(600);
        Assert.Null(await impatient.GetAsync(machine.Id, CancellationToken.None));
        Assert.Contains(slow.Arm.Requests, r => r.Method == "DELETE");
    }

    [Fact]
    public async Task Terminate_deletes_and_a_vm_that_is_not_there_is_success()
    {
        var machine = await provider.LaunchAsync(Request("token-delete"), CancellationToken.None);
        await provider.TerminateAsync(machine.Id, CancellationToken.None);
        Assert.Null(testbed.Arm.Vm(new ResourceIdentifier(machine.Id).Name));
        await provider.TerminateAsync(machine.Id, CancellationToken.None);
        await provider.TerminateAsync(machine.Id.Replace("ss-", "ss-never-", StringComparison.Ordinal), CancellationToken.None);
        await provider.TerminateAsync("not-an-arm-id", CancellationToken.None);
        Assert.Null(await provider.GetAsync(machine.Id, CancellationToken.None));
        Assert.Equal(3, testbed.Arm.Requests.Count(r => r.Method == "DELETE"));
    }

    [Fact]
    public async Task An_eviction_simulated_through_the_sdk_removes_the_vm_after_the_notice_and_the_notice_stream_stays_empty()
    {
        var machine = await provider.LaunchAsync(Request("token-evicted"), CancellationToken.None);
        await using var notices = new NoticeCollector(provider);
        var arm = new ArmClient(testbed.Credential(), testbed.Arm.Options.SubscriptionId, testbed.ClientOptions());
        await arm.GetVirtualMachineResource(new ResourceIdentifier(machine.Id)).SimulateEvictionAsync();
        Assert.Equal(MachineState.Running, (await provider.GetAsync(machine.Id, CancellationToken.None))!.State);
        testbed.Arm.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Null(await provider.GetAsync(machine.Id, CancellationToken.None));
        Assert.Empty(await provider.ListAsync(Tags("chat"), CancellationToken.None));
        Assert.Empty(notices.Now());
    }
}
