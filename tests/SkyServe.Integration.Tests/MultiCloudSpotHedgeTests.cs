using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SkyServe.Cloud.Emulators.Aws;
using SkyServe.Cloud.Emulators.Azure;
using SkyServe.Cloud.Emulators.Gcp;
using SkyServe.Core.Catalog;
using SkyServe.Testing;
using Xunit.Abstractions;

namespace SkyServe.Integration.Tests;

/// <summary>
/// SpotHedge over three clouds at once: the controller program (its own process, <c>dotnet SkyServe.Controller.dll</c>)
/// is configured as a user would configure it, through <c>SkyServe__Clouds__Aws__...</c>, <c>__Gcp__...</c> and
/// <c>__Azure__...</c> environment variables and each cloud's usual credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
/// for SigV4, a GCP service-account key file whose token_uri is the emulator, AZURE_TENANT_ID/AZURE_CLIENT_ID/
/// AZURE_CLIENT_SECRET for Entra ID with SSL_CERT_FILE trusting the ARM emulator's certificate). Its clouds are the
/// EC2, GCE and ARM wire-format emulators on loopback, each offering one zone with T4 machines.
/// <para>
/// Readiness: the controller probes each machine's endpoint, <c>http://{private IP}:{agent port}</c>, as the providers
/// report it. The emulators hand out private IPs in 127.0.0.0/8 (127.z.x.y for EC2, 127.128.x.y for GCE, 127.200.x.y
/// for ARM), so every VM has an address of its own, and every live VM runs a real ReplicaAgent process listening on its
/// address (<see cref="EmulatedVmAgents"/>); a VM that is preempted, evicted or terminated loses its agent and stops
/// answering. No metadata server stands behind the emulated VMs, so notices reach the controller through the clouds'
/// APIs only (the agents' metadata watchers are tested against each format on their own).
/// </para>
/// <para>It runs alone (three emulators and a controller process are a lot for a small machine; the timing-sensitive
/// tests of this project must not share the CPU with it).</para>
/// </summary>
[Collection(MultiCloudCollection.Name)]
public sealed class MultiCloudSpotHedgeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Token = "multicloud-test-token";
    private const string AccessKey = "AKIDSKYSERVEMULTI001";
    private const string SecretKey = "skyserve/multi/wJalrXUtnFEMIK7MDENG";
    private const string AzureClientId = "9b6f0c3e-6a1d-4f57-8e2a-51c7d3f0a2b4";
    private const string AzureSecret = "multicloud~secret.value";
    private const string AwsZone = "us-east-1a";
    private const string GcpZone = "us-central1-a";
    private const string AzureZone = "eastus-1";

    private static readonly CloudCatalog Catalog = CatalogLoader.LoadDirectory(Path.Combine(RepoPaths.Config, "catalog")).Clouds;

    private static readonly EmulatedZone[] AwsZones =
    [
        new("us-east-1", "us-east-1a", "use1-az4"), new("us-east-1", "us-east-1b", "use1-az6"), new("us-east-1", "us-east-1c", "use1-az1"),
    ];

    private readonly TempDirectory data = new();
    private readonly List<IAsyncDisposable> owned = [];

    private const string Spec = """
        service:
          readiness_probe:
            path: /ready
            initial_delay_seconds: 60
          replica_policy:
            min_replicas: 3
            num_overprovision: 1
            dynamic_ondemand_fallback: true
            spot_placer: dynamic_fallback
          ports: 8080
        resources:
          accelerators: T4:1
          use_spot: true
          any_of:
            - infra: aws/us-east-1
            - infra: gcp/us-central1
            - infra: azure/eastus/eastus-1
        """;

    [Fact]
    public async Task Spot_spreads_over_three_clouds_falls_back_to_on_demand_when_all_run_dry_and_returns_when_capacity_does()
    {
        var started = DateTime.UtcNow;
        var ec2 = await Ec2Emulator.StartAsync(AwsWorld(), TimeProvider.System);
        owned.Add(ec2);
        var gce = await GceEmulator.StartAsync(new GceEmulatorOptions
        {
            Zones = [GcpZone, "us-central1-b"],
            MachineTypes = Catalog.InCloud("gcp").Select(o => o.InstanceType).ToHashSet(),
            PreemptionNotice = TimeSpan.FromSeconds(1),
            AddressPrefix = "127.128",
        });
        owned.Add(gce);
        var armDefaults = new ArmEmulatorOptions();
        var subnet = $"/subscriptions/{armDefaults.SubscriptionId}/resourceGroups/skyserve-net/providers/Microsoft.Network/virtualNetworks/serving-eastus/subnets/replicas";
        var arm = await ArmEmulator.StartAsync(armDefaults with
        {
            Subnets = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { subnet },
            VmSizes = Catalog.InCloud("azure").Select(o => o.InstanceType).ToHashSet(StringComparer.OrdinalIgnoreCase),
            EvictionNotice = TimeSpan.FromSeconds(1),
            AddressPrefix = "127.200",
        });
        owned.Add(arm);
        arm.RegisterClient(AzureClientId, AzureSecret);

        await using var agents = EmulatedVmAgents.Start(FreePort.Next(), () =>
            ec2.World.Instances.Where(i => i.State == "running").Select(i => (i.InstanceId, i.PrivateIpAddress))
                .Concat(gce.LiveMachines().Select(m => ($"{m.Zone}/{m.Name}", m.Address)))
                .Concat(arm.LiveMachines().Select(m => (m.Name, m.Address))));

        var keyFile = Path.Combine(data.Path, "gcp-key.json");
        await File.WriteAllTextAsync(keyFile, gce.CreateServiceAccountKey());
        var trusted = Path.Combine(data.Path, "arm-emulator.pem");
        await File.WriteAllTextAsync(trusted, arm.Certificate.ExportCertificatePem());

        var port = FreePort.Next();
        var settings = new Dictionary<string, string>
        {
            ["DataDirectory"] = data.Path,
            ["Urls"] = $"http://127.0.0.1:{port}",
            ["ApiToken"] = Token,
            ["ConfigDirectory"] = RepoPaths.Config,
            ["Reconcile:Interval"] = "00:00:00.250",
            ["Reconcile:NotReadyGrace"] = "00:00:03",
            ["Reconcile:LaunchBackoff"] = "00:00:00.250",
            ["Reconcile:MaxLaunchBackoff"] = "00:00:01",

            ["Clouds:Aws:Regions:us-east-1:ImageId"] = "ami-0a1b2c3d4e5f60718",
            ["Clouds:Aws:Regions:us-east-1:Subnets:us-east-1a"] = "subnet-0aaa000000000000a",
            ["Clouds:Aws:Endpoint"] = ec2.Url,
            ["Clouds:Aws:SecurityGroupIds:0"] = "sg-0123456789abcdef0",
            ["Clouds:Aws:AgentInstallUrl"] = "https://downloads.example.com/skyserve/replica-agent-linux-x64.tar.gz",
            ["Clouds:Aws:AgentPort"] = agents.Port.ToString(),
            ["Clouds:Aws:InterruptionQueueUrl"] = ec2.QueueUrl,
            ["Clouds:Aws:InterruptionQueueWaitSeconds"] = "1",
            ["Clouds:Aws:UnavailableOfferingTtl"] = "00:00:02",
            ["Clouds:Aws:RetryMaxDelay"] = "00:00:00.010",

            ["Clouds:Gcp:Project"] = gce.Options.Project,
            ["Clouds:Gcp:Zones:0"] = GcpZone,
            ["Clouds:Gcp:Image"] = "projects/deeplearning-platform-release/global/images/family/common-cu124-ubuntu-2204",
            ["Clouds:Gcp:Agent:PackageUrl"] = "https://storage.googleapis.com/skyserve-releases/replica-agent-linux-x64.tar.gz",
            ["Clouds:Gcp:Agent:Port"] = agents.Port.ToString(),
            ["Clouds:Gcp:CredentialFile"] = keyFile,
            ["Clouds:Gcp:ComputeEndpoint"] = gce.ComputeEndpoint.ToString(),
            ["Clouds:Gcp:NoticePollInterval"] = "00:00:00.200",
            ["Clouds:Gcp:UnavailableOfferingTtl"] = "00:00:02",
            ["Clouds:Gcp:RetryDelay"] = "00:00:00.010",

            ["Clouds:Azure:SubscriptionId"] = arm.Options.SubscriptionId,
            ["Clouds:Azure:ResourceGroup"] = "skyserve",
            ["Clouds:Azure:Subnets:eastus"] = subnet,
            ["Clouds:Azure:Image"] = "microsoft-dsvm:ubuntu-hpc:2204:latest",
            ["Clouds:Azure:SshPublicKey"] = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGm3TKm3Fz0Jv6Ql4gGZ0pQ9mX1zT7Jc2bZ8yU5kVw0h skyserve@ops",
            ["Clouds:Azure:Agent:PackageUrl"] = "https://skyserve.blob.core.windows.net/releases/replica-agent-linux-x64.tar.gz",
            ["Clouds:Azure:Agent:Port"] = agents.Port.ToString(),
            ["Clouds:Azure:LaunchWait"] = "00:00:10",
            ["Clouds:Azure:OperationPollInterval"] = "00:00:00.050",
            ["Clouds:Azure:UnavailableOfferingTtl"] = "00:00:02",
            ["Clouds:Azure:ResourceManagerEndpoint"] = arm.Endpoint.ToString(),
            ["Clouds:Azure:AuthorityHost"] = arm.Endpoint.ToString(),
        };
        var environment = new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = SecretKey,
            ["AZURE_TENANT_ID"] = arm.Options.TenantId,
            ["AZURE_CLIENT_ID"] = AzureClientId,
            ["AZURE_CLIENT_SECRET"] = AzureSecret,
            ["SSL_CERT_FILE"] = trusted,
        };
        var controller = await ControllerProcess.StartAsync(settings, environment);
        owned.Add(controller);
        output.WriteLine($"{(DateTime.UtcNow - started).TotalSeconds:F1} s, controller started");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        try
        {
            var created = await http.PostAsync("/api/v1/services?name=hedge", new StringContent(Spec, Encoding.UTF8, "application/yaml"));
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());

            // 1. Four spot replicas (N_tar 3 + 1 extra), spread so that every cloud holds one.
            await WaitAsync(http, r => Live(r, spot: true).Select(x => x!["cloud"]!.GetValue<string>()).Distinct().Count() == 3
                && Ready(r, spot: true) >= 3, TimeSpan.FromSeconds(45), "READY spot replicas in aws, gcp and azure");
            Log("spot over three clouds", await ReplicasAsync(http), started);

            // 2. Spot runs dry everywhere and every spot VM is reclaimed (EC2: 1 s warnings through SQS; GCE: preempted
            //    operations; Azure: evictions, which ARM does not announce).
            var phase1 = await ReplicasAsync(http);
            var reclaimed = Live(phase1, spot: true).Select(Id).ToHashSet();
            var before = phase1.Select(Id).Max();
            ec2.World.SetSpotCapacity(AwsZone, 0);
            gce.SetCapacity(GcpZone, spot: true, 0);
            arm.SetCapacity("eastus", "1", spot: true, 0);
            foreach (var vm in gce.LiveMachines().Where(m => m.Spot))
                gce.Preempt(vm.Zone, vm.Name);
            foreach (var vm in arm.LiveMachines().Where(m => m.Spot))
                arm.Evict(vm.Name);
            await WaitAsync(http, r => r.Where(x => reclaimed.Contains(Id(x))).All(x => x!["status"]!.GetValue<string>() == "PREEMPTED")
                // An on-demand replica from phase 1 (a spot zone that was slow) may still serve: count every READY one.
                && Ready(r, spot: false) >= 3,
                TimeSpan.FromSeconds(45), "the spot replicas PREEMPTED and 3 READY on-demand replicas");
            var fallback = await ReplicasAsync(http);
            Log("on-demand fallback", fallback, started);
            Assert.Equal(0, Ready(fallback, spot: true));
            Assert.True(Ready(fallback) >= 3);

            // 3. Capacity returns: spot replicas come back and the on-demand ones are scaled down.
            ec2.World.SetSpotCapacity(AwsZone, null);
            gce.SetCapacity(GcpZone, spot: true, 100);
            arm.SetCapacity("eastus", "1", spot: true, 100);
            await WaitAsync(http, r => r.Count(x => Id(x) > before && x!["is_spot"]!.GetValue<bool>() && x["status"]!.GetValue<string>() == "READY") >= 3
                && Live(r, spot: false).Count == 0, TimeSpan.FromSeconds(60), "3 new READY spot replicas and no on-demand replica left");
            Log("spot again", await ReplicasAsync(http), started);
            var events = await EventsAsync(http);
            Assert.Contains(events, e => e!["to_status"]!.GetValue<string>() == "SHUTTING_DOWN"
                && e["reason"]!.GetValue<string>().StartsWith("on-demand fallback", StringComparison.Ordinal)
                && Id(e) > before);
            Assert.Contains(ec2.World.Instances, i => !i.Spot && i.State == "terminated");
            output.WriteLine($"{agents.Started} replica agents started, one per VM");
            Assert.True(agents.Started >= 10, $"{agents.Started} agents"); // 4 spot, 3 on-demand, 3 spot again at least
        }
        catch
        {
            foreach (var e in await EventsAsync(http))
                output.WriteLine($"  {e!["at"]} #{e["replica_id"]} {e["from_status"]} -> {e["to_status"]}: {e["reason"]}");
            output.WriteLine("controller output:\n" + controller.Output);
            output.WriteLine("agents:\n" + agents.Output);
            throw;
        }
    }

    private static Ec2EmulatorOptions AwsWorld()
    {
        var byId = AwsZones.ToDictionary(z => z.Id);
        var offerings = Catalog.InCloud("aws").Where(o => byId.ContainsKey(o.Zone)).ToList();
        return new Ec2EmulatorOptions
        {
            Zones = [.. AwsZones],
            InstanceTypes = offerings.GroupBy(o => o.InstanceType).ToDictionary(g => g.Key, g => (int)g.First().VCpus),
            TypeOfferings = offerings.Select(o => (o.InstanceType, byId[o.Zone].Name)).ToList(),
            SpotPrices = offerings.Where(o => o.SpotPerHour is not null).Select(o => (o.InstanceType, byId[o.Zone].Name, o.SpotPerHour!.Value)).ToList(),
            Images = [("us-east-1", "ami-0a1b2c3d4e5f60718")],
            Subnets = [("subnet-0aaa000000000000a", AwsZone)],
            SecurityGroups = ["sg-0123456789abcdef0"],
            Credentials = new() { [AccessKey] = SecretKey },
            SpotNoticeLead = TimeSpan.FromSeconds(1),
            AddressPrefix = "127",
        };
    }

    private void Log(string phase, JsonArray replicas, DateTime started)
    {
        output.WriteLine($"{(DateTime.UtcNow - started).TotalSeconds:F1} s, {phase}:");
        foreach (var r in replicas.Where(r => r!["status"]!.GetValue<string>() is not ("TERMINATED" or "FAILED" or "PREEMPTED")))
            output.WriteLine($"  #{r!["replica_id"]} {r["status"]} {(r["is_spot"]!.GetValue<bool>() ? "spot" : "on-demand")} {r["location"]} {r["instance_type"]} {r["endpoint"]}");
    }

    private static int Id(JsonNode? replicaOrEvent) => replicaOrEvent?["replica_id"]?.GetValue<int>() ?? 0;

    private static List<JsonNode?> Live(JsonArray replicas, bool spot) => replicas.Where(r =>
        r!["is_spot"]!.GetValue<bool>() == spot
        && r["status"]!.GetValue<string>() is "PENDING" or "PROVISIONING" or "STARTING" or "READY" or "NOT_READY").ToList();

    private static int Ready(JsonArray replicas, bool? spot = null) => replicas.Count(r =>
        r!["status"]!.GetValue<string>() == "READY" && (spot is null || r["is_spot"]!.GetValue<bool>() == spot));

    private static async Task<JsonArray> ReplicasAsync(HttpClient http) =>
        (JsonArray)JsonNode.Parse(await http.GetStringAsync("/api/v1/services/hedge/replicas?all=true"))!;

    private static async Task<JsonArray> EventsAsync(HttpClient http) =>
        (JsonArray)JsonNode.Parse(await http.GetStringAsync("/api/v1/services/hedge/events?limit=10000"))!;

    private static async Task WaitAsync(HttpClient http, Func<JsonArray, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var replicas = await ReplicasAsync(http);
            if (condition(replicas))
                return;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"timed out waiting for {what}; replicas: {replicas.ToJsonString()}");
            await Task.Delay(200);
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // IAsyncLifetime, which xunit 2 calls on test classes (it does not call IAsyncDisposable there): the controller
    // process, the emulators and the stand-in agent must stop with the test.
    public async Task DisposeAsync()
    {
        for (var i = owned.Count - 1; i >= 0; i--)
            await owned[i].DisposeAsync();
        data.Dispose();
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MultiCloudCollection
{
    public const string Name = "multi-cloud, alone";
}
