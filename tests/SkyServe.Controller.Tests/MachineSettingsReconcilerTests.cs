using SkyServe.Controller.Persistence;
using SkyServe.Core.Spec;
using SkyServe.Testing;

namespace SkyServe.Controller.Tests;

/// <summary>
/// The spec's machine keys in the reconciler: each launch carries the disk and image of the any_of entry its replica was
/// placed by, and the spec's labels (one reconcile at a time against <see cref="FakeCloudProvider"/> and SQLite).
/// </summary>
public sealed class MachineSettingsReconcilerTests : IAsyncLifetime
{
    private HandReconciledController controller = null!;

    public async Task InitializeAsync() =>
        controller = await HandReconciledController.StartAsync("aws/us-east-1/us-east-1a", "gcp/us-central1/us-central1-a");

    public async Task DisposeAsync() => await controller.DisposeAsync();

    private FakeCloudProvider Cloud => controller.Cloud;

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
        Assert.Equal(4, Cloud.LaunchRequests.Count);
        foreach (var request in Cloud.LaunchRequests)
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
        var request = Assert.Single(Cloud.LaunchRequests);
        Assert.True(request.Machine.IsDefault);
        Assert.Equal(SpecDefaults.DiskSizeGb, request.Machine.DiskSizeGb);
    }

    private Task<long> CreateAsync(string name, string spec) => controller.CreateAsync(name, spec);

    private Task ReconcileAsync(long id) => controller.ReconcileAsync(id);

    private Task<List<ReplicaRecord>> ReplicasAsync(long id) => controller.ReplicasAsync(id);
}
