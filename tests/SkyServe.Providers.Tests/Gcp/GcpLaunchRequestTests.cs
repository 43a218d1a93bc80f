using System.Text.Json.Nodes;
using SkyServe.Core.Spec;
using SkyServe.Providers.Gcp;
using Xunit.Abstractions;

namespace SkyServe.Providers.Tests.Gcp;

/// <summary>What instances.insert carries, as the GCE emulator received it (logged for the record).</summary>
public sealed class GcpLaunchRequestTests(ITestOutputHelper output) : IAsyncLifetime
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

    private async Task<(CloudMachine Machine, JsonObject Body, string Query)> LaunchAsync(string type, bool spot, Dictionary<string, string>? tags = null, AgentSettings? agent = null)
    {
        var request = new LaunchRequest($"token-{type}-{spot}", GcpTestbed.Offering(GcpTestbed.Zone, type, spot),
            tags ?? new Dictionary<string, string> { [MachineTags.ManagedBy] = "skyserve", [MachineTags.Service] = "chat", [MachineTags.Replica] = "3" })
        {
            Agent = agent ?? new AgentSettings(),
        };
        var machine = await provider.LaunchAsync(request, CancellationToken.None);
        var insert = testbed.Gce.Requests.Last(r => r.Method == "POST" && r.Path.EndsWith("/instances", StringComparison.Ordinal));
        foreach (var r in testbed.Gce.Requests)
            output.WriteLine($"{r.Method} {r.Path}{r.Query}\n  {r.Body}");
        return (machine, JsonNode.Parse(insert.Body!)!.AsObject(), insert.Query);
    }

    private async Task<JsonObject> LaunchWithAsync(string type, MachineSettings machine)
    {
        var request = new LaunchRequest($"token-{type}-{machine.GetHashCode()}", GcpTestbed.Offering(GcpTestbed.Zone, type, false),
            new Dictionary<string, string> { [MachineTags.ManagedBy] = "skyserve", [MachineTags.Service] = "chat" }) { Machine = machine };
        await provider.LaunchAsync(request, CancellationToken.None);
        var insert = testbed.Gce.Requests.Last(r => r.Method == "POST" && r.Path.EndsWith("/instances", StringComparison.Ordinal));
        output.WriteLine(insert.Body);
        return JsonNode.Parse(insert.Body!)!.AsObject();
    }

    private static string Metadata(JsonObject body, string key) =>
        body["metadata"]!["items"]!.AsArray().Single(i => i!["key"]!.GetValue<string>() == key)!["value"]!.GetValue<string>();

    [Fact]
    public async Task A_spot_launch_asks_for_a_spot_vm_deleted_on_preemption_with_its_gpu_labels_and_startup_script()
    {
        var (machine, body, query) = await LaunchAsync("n1-standard-4", spot: true,
            agent: new AgentSettings { ReadinessPath = "/v1/models", Environment = new Dictionary<string, string> { ["MODEL"] = "llama" } });

        var scheduling = body["scheduling"]!;
        Assert.Equal("SPOT", scheduling["provisioningModel"]!.GetValue<string>());
        Assert.Equal("DELETE", scheduling["instanceTerminationAction"]!.GetValue<string>());
        Assert.Equal("TERMINATE", scheduling["onHostMaintenance"]!.GetValue<string>());
        Assert.False(scheduling["automaticRestart"]!.GetValue<bool>());
        Assert.Equal($"zones/{GcpTestbed.Zone}/machineTypes/n1-standard-4", body["machineType"]!.GetValue<string>());
        // n1-standard-4 is a host with a T4 attached (catalog: attached: true).
        var gpu = Assert.Single(body["guestAccelerators"]!.AsArray())!;
        Assert.Equal($"zones/{GcpTestbed.Zone}/acceleratorTypes/nvidia-tesla-t4", gpu["acceleratorType"]!.GetValue<string>());
        Assert.Equal(1, gpu["acceleratorCount"]!.GetValue<int>());
        Assert.Equal("skyserve", body["labels"]!["skyserve-managed-by"]!.GetValue<string>());
        Assert.Equal("chat", body["labels"]!["skyserve-service"]!.GetValue<string>());
        Assert.Equal("3", body["labels"]!["skyserve-replica"]!.GetValue<string>());
        Assert.Equal("global/networks/serving", body["networkInterfaces"]![0]!["network"]!.GetValue<string>());
        Assert.Equal("regions/us-central1/subnetworks/serving", body["networkInterfaces"]![0]!["subnetwork"]!.GetValue<string>());
        Assert.Null(body["networkInterfaces"]![0]!["accessConfigs"]); // no public IP unless asked for
        Assert.Equal("projects/deeplearning-platform-release/global/images/family/common-cu124-ubuntu-2204",
            body["disks"]![0]!["initializeParams"]!["sourceImage"]!.GetValue<string>());

        var script = Metadata(body, "startup-script");
        Assert.StartsWith("#!/bin/bash", script, StringComparison.Ordinal);
        Assert.Contains("'https://storage.googleapis.com/skyserve-releases/replica-agent-linux-x64.tar.gz'", script, StringComparison.Ordinal);
        Assert.Contains($"'--machine-id' '{machine.Id}'", script, StringComparison.Ordinal);
        Assert.Contains("'--readiness-path' '/v1/models'", script, StringComparison.Ordinal);
        Assert.Contains("'--metadata-url' 'http://metadata.google.internal' '--metadata-format' 'gcp'", script, StringComparison.Ordinal);
        Assert.Contains("export MODEL='llama'", script, StringComparison.Ordinal);
        Assert.Contains("systemctl enable --now skyserve-agent.service", script, StringComparison.Ordinal);
        Assert.Equal("token-n1-standard-4-True", Metadata(body, "skyserve-client-token"));

        var requestId = System.Web.HttpUtility.ParseQueryString(query)["requestId"];
        Assert.True(Guid.TryParse(requestId, out var id));
        Assert.Equal('5', id.ToString()[14]); // a name-based (version 5) UUID

        Assert.Contains(machine.State, new[] { MachineState.Pending, MachineState.Running }); // PROVISIONING or STAGING just after the insert operation
        Assert.Equal($"{GcpTestbed.Zone}/{body["name"]}", machine.Id);
        Assert.StartsWith("http://10.128.", machine.Endpoint, StringComparison.Ordinal);
        Assert.EndsWith(":8080", machine.Endpoint, StringComparison.Ordinal);
        Assert.True(machine.Offering.Spot);
    }

    [Fact]
    public async Task An_on_demand_launch_is_standard_and_restarts_after_maintenance_and_built_in_gpus_are_not_attached()
    {
        var (machine, body, _) = await LaunchAsync("g2-standard-4", spot: false);
        var scheduling = body["scheduling"]!;
        Assert.Equal("STANDARD", scheduling["provisioningModel"]!.GetValue<string>());
        Assert.Null(scheduling["instanceTerminationAction"]);
        Assert.Equal("TERMINATE", scheduling["onHostMaintenance"]!.GetValue<string>());
        Assert.True(scheduling["automaticRestart"]!.GetValue<bool>());
        Assert.Null(body["guestAccelerators"]); // G2 has its L4 built in
        Assert.False(machine.Offering.Spot);
        Assert.Equal("g2-standard-4", machine.Offering.InstanceType);
        Assert.Equal("us-central1", machine.Offering.Region);
    }

    [Fact]
    public async Task Credentials_come_from_the_key_file_through_one_jwt_bearer_exchange()
    {
        await LaunchAsync("n1-standard-4", spot: false);
        var machines = await provider.ListAsync(new Dictionary<string, string>(), CancellationToken.None);
        await provider.GetAsync(machines[0].Id, CancellationToken.None);

        var token = Assert.Single(testbed.Gce.Requests, r => r.Path == "/token");
        var form = System.Web.HttpUtility.ParseQueryString(token.Body!);
        Assert.Equal("urn:ietf:params:oauth:grant-type:jwt-bearer", form["grant_type"]);
        Assert.Equal(3, form["assertion"]!.Split('.').Length);
        Assert.Equal(1, testbed.Gce.TokensIssued); // cached by Google.Apis.Auth until it nears expiry
        Assert.All(testbed.Gce.Requests.Where(r => r.Path.StartsWith("/compute/", StringComparison.Ordinal)),
            r => Assert.StartsWith("Bearer ya29.", r.Headers["Authorization"], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_disk_keys_the_boot_disk_is_skypilots_256_GB_of_the_configured_type()
    {
        var (_, body, _) = await LaunchAsync("n1-standard-4", spot: false);
        var disk = body["disks"]![0]!["initializeParams"]!;
        Assert.Equal("256", disk["diskSizeGb"]!.GetValue<string>());
        Assert.Equal($"zones/{GcpTestbed.Zone}/diskTypes/pd-balanced", disk["diskType"]!.GetValue<string>());
        Assert.Null(disk["provisionedIops"]);
    }

    [Fact]
    public async Task The_specs_disk_image_and_labels_reach_instances_insert()
    {
        var body = await LaunchWithAsync("g2-standard-4", new MachineSettings
        {
            DiskSizeGb = 1024,
            DiskTier = "high",
            ImageId = "projects/my-project/global/images/serving-image-v2",
            Labels = new Dictionary<string, string> { ["team"] = "inference", ["cost-center"] = "42" },
        });
        var disk = body["disks"]![0]!["initializeParams"]!;
        Assert.Equal("1024", disk["diskSizeGb"]!.GetValue<string>());
        Assert.Equal($"zones/{GcpTestbed.Zone}/diskTypes/pd-ssd", disk["diskType"]!.GetValue<string>());
        Assert.Equal("projects/my-project/global/images/serving-image-v2", disk["sourceImage"]!.GetValue<string>());
        var labels = body["labels"]!.AsObject();
        Assert.Equal("inference", labels["team"]!.GetValue<string>());
        Assert.Equal("42", labels["cost-center"]!.GetValue<string>());
        Assert.Equal("chat", labels["skyserve-service"]!.GetValue<string>()); // beside the machine's own
    }

    [Theory]
    [InlineData("low", "n1-standard-4", "pd-standard")]
    [InlineData("low", "g2-standard-4", "pd-balanced")] // G2 takes no pd-standard
    [InlineData("medium", "n1-standard-4", "pd-balanced")]
    [InlineData("ultra", "n1-standard-4", "pd-ssd")] // N1 takes no pd-extreme
    [InlineData("best", "n2-standard-4", "pd-ssd")] // nor N2 under 64 vCPUs
    [InlineData("ultra", "a3-highgpu-8g", "hyperdisk-balanced")]
    public async Task Disk_tiers_map_to_disk_types_as_in_SkyPilot(string tier, string type, string diskType)
    {
        var body = await LaunchWithAsync(type, new MachineSettings { DiskTier = tier });
        Assert.Equal($"zones/{GcpTestbed.Zone}/diskTypes/{diskType}", body["disks"]![0]!["initializeParams"]!["diskType"]!.GetValue<string>());
    }

    [Fact]
    public void Ultra_is_pd_extreme_with_provisioned_iops_where_the_series_takes_it()
    {
        Assert.Equal(("pd-extreme", (int?)GceBootDisk.ExtremeIops), GceBootDisk.For(new MachineSettings { DiskTier = "ultra" }, "n2-standard-64", 64, "pd-balanced"));
        Assert.Equal(("pd-extreme", (int?)GceBootDisk.ExtremeIops), GceBootDisk.For(new MachineSettings { DiskTier = "best" }, "c3-standard-88", 88, "pd-balanced"));
    }

    [Theory]
    [InlineData("Team", "inference", "not a valid GCP label key")]
    [InlineData("team", "Inference", "not a valid GCP label value")]
    [InlineData(MachineTags.Service, "other", "reserved for SkyServe")]
    public async Task A_label_GCP_would_refuse_fails_the_launch_with_why(string key, string value, string message)
    {
        var error = await Assert.ThrowsAsync<CloudProviderException>(() =>
            LaunchWithAsync("n1-standard-4", new MachineSettings { Labels = new Dictionary<string, string> { [key] = value } }));
        Assert.Equal(CloudErrorKind.InvalidRequest, error.Kind);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tags_that_are_not_valid_labels_are_encoded_and_still_find_their_machine()
    {
        var tags = new Dictionary<string, string>
        {
            [MachineTags.ManagedBy] = "skyserve",
            ["Team Name"] = "ML Platform/Serving",
            [MachineTags.Service] = new string('x', 80),
            ["2fa"] = "UPPER",
        };
        var (machine, body, _) = await LaunchAsync("n1-standard-4", spot: true, tags);
        var labels = body["labels"]!.AsObject();
        Assert.All(labels, l => Assert.Matches("^[a-z][a-z0-9_-]{0,62}$", l.Key));
        Assert.All(labels, l => Assert.Matches("^[a-z0-9_-]{0,63}$", l.Value!.GetValue<string>()));
        Assert.StartsWith("team-name--", labels.Single(l => l.Key.StartsWith("team", StringComparison.Ordinal)).Key, StringComparison.Ordinal);

        var found = Assert.Single(await provider.ListAsync(tags, CancellationToken.None));
        Assert.Equal(machine.Id, found.Id);
        Assert.Equal(tags, found.Tags); // exact, from the instance metadata
        Assert.Empty(await provider.ListAsync(new Dictionary<string, string>(tags) { ["Team Name"] = "ML platform/serving" }, CancellationToken.None));
    }
}
