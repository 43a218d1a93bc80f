using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;
using SkyServe.Core.Spec;
using SkyServe.Testing;

namespace SkyServe.Controller.Tests;

/// <summary>
/// The spec's machine keys in the reconciler: each launch carries the disk and image of the any_of entry its replica was
/// placed by, and the spec's labels (one reconcile at a time against <see cref="FakeCloudProvider"/> and SQLite).
/// </summary>
public sealed class MachineSettingsReconcilerTests : IAsyncLifetime
{
    private readonly TempDirectory data = new();
    private readonly FakeCloudProvider cloud = new("aws/us-east-1/us-east-1a", "gcp/us-central1/us-central1-a");
    private ControllerServer server = null!;
    private LeaderElection leader = null!;

    public async Task InitializeAsync()
    {
        server = await ControllerServer.StartAsync(new ControllerOptions
        {
            DataDirectory = data.Path,
            Urls = "http://127.0.0.1:0",
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
    public async Task Each_launch_carries_the_disk_and_image_of_its_replicas_entry_and_the_specs_labels()
    {
        var id = await CreateAsync("svc", """
            service:
              readiness_probe: /ready
              replicas: 4
              ports: 8080
            resources:
              cpus: 8
              disk_size: 100
              labels: {team: inference}
              any_of:
                - {infra: aws/us-east-1, disk_size: 300, disk_tier: high, image_id: ami-0123456789abcdef0}
                - {infra: gcp/us-central1, disk_tier: low}
            run: python3 -m http.server 8080
            """);
        await ReconcileAsync(id);

        var replicas = await ReplicasAsync(id);
        Assert.Equal(4, cloud.LaunchRequests.Count);
        foreach (var request in cloud.LaunchRequests)
        {
            var replica = replicas.Single(r => r.LaunchToken.ToString() == request.ClientToken);
            Assert.Equal(replica.Cloud, request.Offering.Cloud);
            var expected = replica.Cloud == "aws"
                ? (300, "high", "ami-0123456789abcdef0")
                : (100, "low", (string?)null); // the top level's disk_size under the entry's tier
            Assert.Equal(expected, (request.Machine.DiskSizeGb, request.Machine.DiskTier, request.Machine.ImageId));
            Assert.Equal(new Dictionary<string, string> { ["team"] = "inference" }, request.Machine.Labels);
        }
    }

    [Fact]
    public async Task A_spec_without_machine_keys_launches_with_skypilots_defaults()
    {
        var id = await CreateAsync("plain", "service:\n  readiness_probe: /ready\n  replicas: 1\n  ports: 8080\nresources:\n  cpus: 8\nrun: python3 -m http.server 8080\n");
        await ReconcileAsync(id);
        var request = Assert.Single(cloud.LaunchRequests);
        Assert.True(request.Machine.IsDefault);
        Assert.Equal(SpecDefaults.DiskSizeGb, request.Machine.DiskSizeGb);
    }

    private async Task<long> CreateAsync(string name, string spec)
    {
        var created = await server.Client.PostAsync($"/api/v1/services?name={name}", new StringContent(spec, Encoding.UTF8, "application/yaml"));
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        await using var scope = server.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<ControllerDb>().Services.SingleAsync(s => s.Name == name)).Id;
    }

    private async Task ReconcileAsync(long id)
    {
        await using var scope = server.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ServiceReconciler>().ReconcileAsync(id, leader.Generation, CancellationToken.None);
    }

    private async Task<List<ReplicaRecord>> ReplicasAsync(long id)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ControllerDb>().Replicas.AsNoTracking().Where(r => r.ServiceId == id).ToListAsync();
    }
}
