using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SkyServe.Controller.Cloud;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;
using SkyServe.Core.Domain;
using SkyServe.Testing;

namespace SkyServe.Controller.Tests;

/// <summary>
/// The reconciler on its own, one reconcile at a time, against <see cref="FakeCloudProvider"/> and SQLite: no loop, no
/// agents, no waiting — each test runs in milliseconds once the host is up.
/// </summary>
public sealed class ReconcilerTests : IAsyncLifetime
{
    private const string Spec = """
        service:
          readiness_probe: /ready
          replicas: 2
          ports: 8080
        resources:
          cloud: aws
          cpus: 8
        """;

    private readonly TempDirectory data = new();
    private readonly FakeCloudProvider cloud = new("aws/us-east-1/us-east-1a", "aws/us-east-1/us-east-1b");
    private ControllerServer server = null!;
    private LeaderElection leader = null!;

    public async Task InitializeAsync()
    {
        server = await ControllerServer.StartAsync(new ControllerOptions
        {
            DataDirectory = data.Path,
            Urls = "http://127.0.0.1:0",
            // No loop: the test reconciles by hand. A machine list counts at once (no grace for the cloud's list to catch up).
            Reconcile = new ReconcileOptions { Enabled = false, MachineListInterval = TimeSpan.FromTicks(1) },
        }, cloud);
        leader = server.Services.GetRequiredService<LeaderElection>();
        Assert.True(await leader.IsLeaderAsync(CancellationToken.None));
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        data.Dispose();
    }

    [Fact]
    public async Task Rows_come_before_machines_and_running_machines_start_probing()
    {
        var id = await CreateAsync("svc", Spec);
        await ReconcileAsync(id);
        Assert.Equal(2, cloud.Launches.Count);
        var replicas = await ReplicasAsync(id);
        Assert.All(replicas, r => Assert.Equal(ReplicaStatus.PROVISIONING, r.Status));
        Assert.Equal(cloud.Machines.Select(m => m.Id).Order(), replicas.Select(r => r.InstanceId).Order());

        cloud.StartAll();
        await server.Services.GetRequiredService<MachineInventory>().RefreshAsync(CancellationToken.None);
        await ReconcileAsync(id);
        Assert.All(await ReplicasAsync(id), r => Assert.Equal(ReplicaStatus.STARTING, r.Status));
        await ReconcileAsync(id);
        Assert.Equal(2, cloud.Launches.Count); // nothing launched twice
    }

    [Fact]
    public async Task A_machine_the_cloud_no_longer_lists_is_replaced()
    {
        var id = await CreateAsync("svc", Spec);
        await ReconcileAsync(id);
        cloud.StartAll();
        var inventory = server.Services.GetRequiredService<MachineInventory>();
        await inventory.RefreshAsync(CancellationToken.None);
        await ReconcileAsync(id);

        var lost = cloud.Machines.First().Id;
        cloud.Reclaim(lost);
        await inventory.RefreshAsync(CancellationToken.None);
        await ReconcileAsync(id);
        var replicas = await ReplicasAsync(id);
        Assert.Contains(replicas, r => r.Status == ReplicaStatus.FAILED && r.InstanceId is null);
        Assert.Equal(3, cloud.Launches.Count);
    }

    [Fact]
    public async Task A_launch_failure_backs_off_and_the_back_off_is_in_the_database()
    {
        var id = await CreateAsync("svc", Spec);
        cloud.FailLaunchesWith = Providers.CloudErrorKind.QuotaExceeded;
        await ReconcileAsync(id);
        Assert.Equal(2, cloud.LaunchAttempts);
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var service = await scope.ServiceProvider.GetRequiredService<ControllerDb>().Services.AsNoTracking().SingleAsync(s => s.Id == id);
            Assert.Equal(2, service.LaunchFailures); // one per failed launch, in a row
            Assert.True(service.LaunchNotBefore > DateTime.UtcNow);
        }
        cloud.FailLaunchesWith = null;
        await ReconcileAsync(id);
        Assert.Equal(2, cloud.LaunchAttempts); // waiting out the back-off: no new attempt yet
        Assert.All(await ReplicasAsync(id), r => Assert.Equal(ReplicaStatus.FAILED_PROVISION, r.Status));
    }

    [Fact]
    public async Task A_reconcile_under_a_stale_lease_generation_writes_and_launches_nothing()
    {
        var id = await CreateAsync("svc", Spec);
        await Assert.ThrowsAsync<LeaseLostException>(() => ReconcileAsync(id, leader.Generation - 1));
        Assert.Empty(cloud.Launches);
        Assert.Empty(await ReplicasAsync(id));
    }

    [Fact]
    public async Task An_ordered_spec_launches_in_its_first_location_though_the_next_is_cheaper()
    {
        await using var ordered = await OrderedServerAsync();
        ordered.Cloud.OnDemandPrices["aws/us-east-1/us-east-1a"] = 0.50m;
        var id = await ordered.CreateAsync("ordered", OrderedSpec(""));
        await ordered.ReconcileAsync(id);
        Assert.Equal("gcp", Assert.Single(ordered.Cloud.LaunchRequests).Offering.Cloud);
    }

    [Fact]
    public async Task An_ordered_spec_launches_in_the_next_location_while_the_first_has_no_capacity()
    {
        await using var ordered = await OrderedServerAsync();
        ordered.Cloud.NoSpotCapacity["gcp/us-central1/us-central1-a"] = true;
        var id = await ordered.CreateAsync("ordered", OrderedSpec("  use_spot: true\n"));
        await ordered.ReconcileAsync(id);
        var launched = Assert.Single(ordered.Cloud.LaunchRequests).Offering;
        Assert.Equal(("aws", true), (launched.Cloud, launched.Spot));
    }

    private static string OrderedSpec(string extraResources) => """
        service:
          readiness_probe: /ready
          replicas: 1
          ports: 8080
        resources:
          cpus: 8
          ordered:
            - infra: gcp/us-central1
            - infra: aws/us-east-1

        """ + extraResources;

    /// <summary>A second controller whose cloud has a gcp zone and an aws zone.</summary>
    private static Task<HandReconciledController> OrderedServerAsync() =>
        HandReconciledController.StartAsync("gcp/us-central1/us-central1-a", "aws/us-east-1/us-east-1a");

    private async Task<long> CreateAsync(string name, string spec)
    {
        var created = await server.Client.PostAsync($"/api/v1/services?name={name}", new StringContent(spec, Encoding.UTF8, "application/yaml"));
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        await using var scope = server.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<ControllerDb>().Services.SingleAsync(s => s.Name == name)).Id;
    }

    private async Task ReconcileAsync(long id, long? generation = null)
    {
        await using var scope = server.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ServiceReconciler>().ReconcileAsync(id, generation ?? leader.Generation, CancellationToken.None);
    }

    private async Task<List<ReplicaRecord>> ReplicasAsync(long id)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ControllerDb>().Replicas.AsNoTracking().Where(r => r.ServiceId == id).ToListAsync();
    }
}
