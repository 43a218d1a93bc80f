using System.Text;
using System.Text.Json.Nodes;
using SkyServe.Core.Spec;
using SkyServe.Providers.Azure;
using Xunit.Abstractions;

namespace SkyServe.Providers.Tests.Azure;

/// <summary>What Azure.ResourceManager.Compute 1.2.0 puts on the wire for the provider's calls, as the ARM emulator received it (logged).</summary>
public sealed class AzureLaunchRequestTests(ITestOutputHelper output) : IAsyncLifetime
{
    private AzureTestbed testbed = null!;
    private AzureCloudProvider provider = null!;

    public async Task InitializeAsync()
    {
        testbed = await AzureTestbed.StartAsync();
        provider = testbed.Provider();
    }

    public async Task DisposeAsync() => await testbed.DisposeAsync();

    private async Task<(CloudMachine Machine, JsonObject Body)> LaunchAsync(string zone, bool spot, AgentSettings? agent = null, MachineSettings? settings = null)
    {
        var request = new LaunchRequest($"token-{zone}-{spot}", AzureTestbed.Offering(zone, "Standard_NC4as_T4_v3", spot),
            new Dictionary<string, string> { [MachineTags.ManagedBy] = "skyserve", [MachineTags.Service] = "chat", [MachineTags.Replica] = "3" })
        {
            Agent = agent ?? new AgentSettings(),
            Machine = settings ?? MachineSettings.Default,
        };
        var machine = await provider.LaunchAsync(request, CancellationToken.None);
        var put = testbed.Arm.Requests.Last(r => r.Method == "PUT");
        return (machine, JsonNode.Parse(put.Body!)!.AsObject());
    }

    [Fact]
    public async Task A_spot_launch_puts_a_spot_vm_deleted_on_eviction_at_any_price_with_tags_custom_data_and_a_nic_in_the_subnet()
    {
        var (machine, body) = await LaunchAsync(AzureTestbed.Zone, spot: true,
            new AgentSettings { ReadinessPath = "/v1/models", Environment = new Dictionary<string, string> { ["MODEL"] = "it's \"quoted\" $HOME" } });
        foreach (var r in testbed.Arm.Requests)
            output.WriteLine($"{r.Method} {r.Path}{r.Query}\n  {r.Body}");

        var properties = body["properties"]!;
        Assert.Equal("Spot", properties["priority"]!.GetValue<string>());
        Assert.Equal("Delete", properties["evictionPolicy"]!.GetValue<string>());
        Assert.Equal(-1, properties["billingProfile"]!["maxPrice"]!.GetValue<double>());
        Assert.Equal("eastus", body["location"]!.GetValue<string>());
        Assert.Equal("1", Assert.Single(body["zones"]!.AsArray())!.GetValue<string>());
        Assert.Equal("Standard_NC4as_T4_v3", properties["hardwareProfile"]!["vmSize"]!.GetValue<string>());
        var tags = body["tags"]!.AsObject();
        Assert.Equal("chat", tags["skyserve-service"]!.GetValue<string>());
        Assert.Equal("3", tags["skyserve-replica"]!.GetValue<string>());
        Assert.Equal("token-eastus-1-True", tags[AzureNames.ClientTokenTag]!.GetValue<string>());
        var image = properties["storageProfile"]!["imageReference"]!;
        Assert.Equal("microsoft-dsvm", image["publisher"]!.GetValue<string>());
        Assert.Equal("Delete", properties["storageProfile"]!["osDisk"]!["deleteOption"]!.GetValue<string>());

        var network = properties["networkProfile"]!;
        Assert.Equal("2020-11-01", network["networkApiVersion"]!.GetValue<string>());
        var nic = Assert.Single(network["networkInterfaceConfigurations"]!.AsArray())!;
        Assert.Equal("Delete", nic["properties"]!["deleteOption"]!.GetValue<string>());
        Assert.Equal(testbed.Subnet, nic["properties"]!["ipConfigurations"]![0]!["properties"]!["subnet"]!["id"]!.GetValue<string>());

        var os = properties["osProfile"]!;
        Assert.True(os["linuxConfiguration"]!["disablePasswordAuthentication"]!.GetValue<bool>());
        Assert.StartsWith("ssh-ed25519 ", os["linuxConfiguration"]!["ssh"]!["publicKeys"]![0]!["keyData"]!.GetValue<string>(), StringComparison.Ordinal);
        var script = Encoding.UTF8.GetString(Convert.FromBase64String(os["customData"]!.GetValue<string>()));
        Assert.StartsWith("#!/bin/bash", script, StringComparison.Ordinal);
        Assert.Contains($"'--machine-id' '{machine.Id}'", script, StringComparison.Ordinal);
        Assert.Contains("'--readiness-path' '/v1/models'", script, StringComparison.Ordinal);
        Assert.Contains("'--metadata-url' 'http://169.254.169.254' '--metadata-format' 'azure'", script, StringComparison.Ordinal);
        Assert.Contains("export MODEL='it'\\''s \"quoted\" $HOME'", script, StringComparison.Ordinal);

        Assert.Equal(MachineState.Running, machine.State);
        Assert.EndsWith($"/resourceGroups/skyserve/providers/Microsoft.Compute/virtualMachines/{body["properties"]!["osProfile"]!["computerName"]}", machine.Id, StringComparison.Ordinal);
        Assert.Matches(@"^http://10\.0\.\d+\.\d+:8080$", machine.Endpoint); // the NIC's private IP, read from the Network RP
        Assert.Equal(AzureTestbed.Offering(AzureTestbed.Zone, "Standard_NC4as_T4_v3", spot: true), machine.Offering);
        Assert.Equal("token-eastus-1-True", machine.ClientToken);
        Assert.DoesNotContain(AzureNames.ClientTokenTag, machine.Tags.Keys);
    }

    [Fact]
    public async Task An_on_demand_launch_is_regular_priority_without_eviction_policy_or_max_price()
    {
        var (machine, body) = await LaunchAsync(AzureTestbed.Zone, spot: false);
        var properties = body["properties"]!;
        Assert.Equal("Regular", properties["priority"]!.GetValue<string>());
        Assert.Null(properties["evictionPolicy"]);
        Assert.Null(properties["billingProfile"]);
        Assert.False(machine.Offering.Spot);
    }

    [Fact]
    public async Task Without_disk_keys_the_os_disk_is_skypilots_256_GB_of_the_configured_type()
    {
        var (_, body) = await LaunchAsync(AzureTestbed.Zone, spot: false);
        var osDisk = body["properties"]!["storageProfile"]!["osDisk"]!;
        Assert.Equal(256, osDisk["diskSizeGB"]!.GetValue<int>());
        Assert.Equal("StandardSSD_LRS", osDisk["managedDisk"]!["storageAccountType"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_specs_disk_image_and_labels_reach_the_vm_put()
    {
        var (machine, body) = await LaunchAsync(AzureTestbed.Zone, spot: false, settings: new MachineSettings
        {
            DiskSizeGb = 512,
            DiskTier = "medium",
            ImageId = "Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest",
            Labels = new Dictionary<string, string> { ["team"] = "inference", ["CostCenter"] = "42" },
        });
        var storage = body["properties"]!["storageProfile"]!;
        Assert.Equal(512, storage["osDisk"]!["diskSizeGB"]!.GetValue<int>());
        Assert.Equal("Premium_LRS", storage["osDisk"]!["managedDisk"]!["storageAccountType"]!.GetValue<string>());
        var image = storage["imageReference"]!;
        Assert.Equal(("Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2", "latest"),
            (image["publisher"]!.GetValue<string>(), image["offer"]!.GetValue<string>(), image["sku"]!.GetValue<string>(), image["version"]!.GetValue<string>()));
        var tags = body["tags"]!.AsObject();
        Assert.Equal("inference", tags["team"]!.GetValue<string>());
        Assert.Equal("42", tags["CostCenter"]!.GetValue<string>());
        Assert.Equal("chat", tags["skyserve-service"]!.GetValue<string>());
        Assert.Equal("chat", machine.Tags[MachineTags.Service]);
    }

    [Fact]
    public async Task An_image_resource_id_is_passed_as_an_id_and_low_is_standard_hdd()
    {
        const string gallery = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/images/providers/Microsoft.Compute/galleries/serving/images/agent/versions/1.0.0";
        var (_, body) = await LaunchAsync(AzureTestbed.Zone, spot: true, settings: new MachineSettings { ImageId = gallery, DiskTier = "low" });
        var storage = body["properties"]!["storageProfile"]!;
        Assert.Equal(gallery, storage["imageReference"]!["id"]!.GetValue<string>());
        Assert.Equal("Standard_LRS", storage["osDisk"]!["managedDisk"]!["storageAccountType"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("ultra", null, "not available on Azure")]
    [InlineData(null, "ubuntu-22.04", "publisher:offer:sku:version")]
    public async Task What_Azure_cannot_take_fails_the_launch_with_why(string? tier, string? image, string message)
    {
        var error = await Assert.ThrowsAsync<CloudProviderException>(() =>
            LaunchAsync(AzureTestbed.Zone, spot: false, settings: new MachineSettings { DiskTier = tier, ImageId = image }));
        Assert.Equal(CloudErrorKind.InvalidRequest, error.Kind);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(testbed.Arm.Requests, r => r.Method == "PUT");
    }

    [Fact]
    public async Task A_regional_offering_has_no_zone()
    {
        var (machine, body) = await LaunchAsync(AzureTestbed.Region, spot: true);
        Assert.Null(body["zones"]);
        Assert.Equal(AzureTestbed.Region, machine.Offering.Zone);
    }

    [Fact]
    public async Task Every_call_carries_the_api_version_and_a_token_from_one_client_credentials_exchange()
    {
        var (machine, _) = await LaunchAsync(AzureTestbed.Zone, spot: true);
        await provider.GetAsync(machine.Id, CancellationToken.None);
        await provider.ListAsync(new Dictionary<string, string>(), CancellationToken.None);
        await provider.TerminateAsync(machine.Id, CancellationToken.None);

        var token = Assert.Single(testbed.Arm.Requests, r => r.Path.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal));
        var form = System.Web.HttpUtility.ParseQueryString(token.Body!);
        Assert.Equal("client_credentials", form["grant_type"]);
        Assert.Equal("https://management.azure.com/.default", form["scope"]);
        Assert.Equal(AzureTestbed.ClientId, form["client_id"]);
        var arm = testbed.Arm.Requests.Where(r => r.Path.StartsWith("/subscriptions/", StringComparison.Ordinal)).ToList();
        Assert.All(arm, r => Assert.Matches(@"api-version=20\d\d-\d\d-\d\d", r.Query));
        Assert.All(arm, r => Assert.StartsWith("Bearer ", r.Headers["Authorization"], StringComparison.Ordinal));
        Assert.Contains(arm, r => r.Method == "PUT" && r.Query.Contains("api-version=2023-07-01", StringComparison.Ordinal));
        // Long-running operations are followed through their Azure-AsyncOperation URLs.
        Assert.Contains(arm, r => r.Path.Contains("/providers/Microsoft.Compute/locations/eastus/operations/", StringComparison.Ordinal));
        Assert.Contains(arm, r => r.Method == "GET" && r.Query.Contains("$expand=instanceView", StringComparison.Ordinal));
    }
}
