using SkyServe.Providers.Gcp;

namespace SkyServe.Providers.Tests.Gcp;

/// <summary>Idempotency, paging, terminate and the preemption notice stream of the GCP provider against the GCE emulator.</summary>
public sealed class GcpProviderTests : IAsyncLifetime
{
    private GcpTestbed testbed = null!;
    private GcpCloudProvider provider = null!;

    public async Task InitializeAsync()
    {
        testbed = await GcpTestbed.StartAsync();
        provider = await testbed.ProviderAsync();
    }

    public async Task DisposeAsync()
    {
        provider.Dispose();
        await testbed.DisposeAsync();
    }

    private static Dictionary<string, string> Tags(string service) => new() { [MachineTags.ManagedBy] = "skyserve", [MachineTags.Service] = service };

    private Task<CloudMachine> LaunchAsync(string token, bool spot = true, string service = "chat") =>
        provider.LaunchAsync(new LaunchRequest(token, GcpTestbed.Offering(GcpTestbed.Zone, "n1-standard-4", spot), Tags(service)), CancellationToken.None);

    [Fact]
    public async Task Concurrent_and_repeated_launches_of_one_token_make_one_instance_with_one_request_id()
    {
        var machines = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => LaunchAsync("token-once")));
        var again = await LaunchAsync("token-once");
        Assert.Single(machines.Append(again).Select(m => m.Id).Distinct());
        Assert.Equal(1, testbed.Gce.LiveInstances);
        var inserts = testbed.Gce.Requests.Where(r => r.Method == "POST" && r.Path.EndsWith("/instances", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, inserts.Count);
        Assert.Single(inserts.Select(r => r.Query).Distinct());
        Assert.Equal("token-once", again.ClientToken);
    }

    [Fact]
    public async Task A_token_whose_instance_exists_under_another_request_gets_that_instance()
    {
        // Same token, other market: another requestId, the same instance name → 409 alreadyExists → the existing VM.
        var first = await LaunchAsync("token-twice", spot: true);
        var second = await LaunchAsync("token-twice", spot: false);
        Assert.Equal(first.Id, second.Id);
        Assert.True(second.Offering.Spot);
        Assert.Equal(1, testbed.Gce.LiveInstances);
    }

    [Fact]
    public async Task Listing_follows_page_tokens_through_every_zone()
    {
        using var paged = await testbed.ProviderAsync(testbed.Options with { PageSize = 2 });
        var launched = new List<CloudMachine>();
        for (var i = 0; i < 5; i++)
            launched.Add(await paged.LaunchAsync(new LaunchRequest($"token-page-{i}",
                GcpTestbed.Offering(i % 2 == 0 ? "us-central1-a" : "us-central1-c", "n1-standard-4", spot: true), Tags("paged")), CancellationToken.None));
        await LaunchAsync("token-other", service: "other");

        var listed = await paged.ListAsync(Tags("paged"), CancellationToken.None);
        Assert.Equal(launched.Select(m => m.Id).Order(), listed.Select(m => m.Id).Order());
        var pages = testbed.Gce.Requests.Where(r => r.Path.EndsWith("/aggregated/instances", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, pages.Count);
        Assert.DoesNotContain("pageToken", pages[0].Query, StringComparison.Ordinal);
        Assert.All(pages.Skip(1), p => Assert.Contains("pageToken=", p.Query, StringComparison.Ordinal));
        Assert.All(pages, p => Assert.Contains("maxResults=2", p.Query, StringComparison.Ordinal));
        var filter = System.Web.HttpUtility.ParseQueryString(pages[0].Query)["filter"];
        Assert.Equal("(labels.skyserve-managed-by = \"skyserve\") AND (labels.skyserve-service = \"paged\")", filter);
    }

    [Fact]
    public async Task Terminate_waits_for_the_delete_operation_and_a_gone_instance_is_success()
    {
        var machine = await LaunchAsync("token-delete");
        await provider.TerminateAsync(machine.Id, CancellationToken.None);
        var (zone, name) = (machine.Id.Split('/')[0], machine.Id.Split('/')[1]);
        Assert.Null(testbed.Gce.Instance(zone, name));
        await provider.TerminateAsync(machine.Id, CancellationToken.None);
        await provider.TerminateAsync($"{zone}/ss-never", CancellationToken.None);
        var deletes = testbed.Gce.Requests.Where(r => r.Method == "DELETE").ToList();
        Assert.Equal(3, deletes.Count);
        Assert.All(deletes, d => Assert.Contains("requestId=", d.Query, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_preemption_notice_carries_the_operations_time_plus_thirty_seconds_and_the_vm_is_then_deleted()
    {
        var machine = await LaunchAsync("token-preempted");
        await using var notices = new NoticeCollector(provider);
        var (zone, name) = (machine.Id.Split('/')[0], machine.Id.Split('/')[1]);
        var before = testbed.Gce.Clock.GetUtcNow();
        testbed.Gce.Preempt(zone, name);
        var notice = Assert.Single(await notices.AtLeastAsync(1));
        Assert.Equal(machine.Id, notice.MachineId);
        Assert.InRange(notice.Deadline - before, TimeSpan.FromSeconds(29), TimeSpan.FromSeconds(31));
        Assert.Equal(MachineState.ShuttingDown, (await provider.GetAsync(machine.Id, CancellationToken.None))!.State);

        testbed.Gce.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Null(await provider.GetAsync(machine.Id, CancellationToken.None));
        Assert.Null(testbed.Gce.Instance(zone, name)); // instanceTerminationAction DELETE
        Assert.Empty(await provider.ListAsync(Tags("chat"), CancellationToken.None));
        await Task.Delay(300);
        Assert.Single(notices.Now()); // each preemption once
    }

    [Fact]
    public async Task Preemptions_that_ended_before_the_stream_started_are_not_announced()
    {
        var machine = await LaunchAsync("token-old");
        testbed.Gce.Clock.Advance(TimeSpan.FromMinutes(-5)); // the preemption happened five minutes ago
        testbed.Gce.Preempt(machine.Id.Split('/')[0], machine.Id.Split('/')[1]);
        testbed.Gce.Clock.Advance(TimeSpan.FromMinutes(5));
        await using var notices = new NoticeCollector(provider);
        await Task.Delay(500);
        Assert.Empty(notices.Now());
    }
}
