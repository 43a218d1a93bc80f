using System.Text;
using Amazon.Runtime;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using SkyServe.Cloud.Emulators.Aws;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Reconcile;
using SkyServe.Core.Catalog;
using SkyServe.Providers;
using SkyServe.Providers.Aws;
using SkyServe.Testing;

namespace SkyServe.Integration.Tests;

/// <summary>
/// <c>num_nodes: 2</c> on a cloud: the controller (in process, its reconcile loop running) with the AWS provider against
/// the EC2 wire-format emulator launches the replica's two instances, each with its own client token, and terminates
/// both when the service is torn down. The instances run no agent: the test is about the machines.
/// </summary>
public sealed class MultiNodeEmulatorTests
{
    private const string AccessKey = "AKIDSKYSERVENODES001";
    private const string SecretKey = "skyserve/nodes/wJalrXUtnFEMIK7MDENG";
    private const string Image = "ami-0a1b2c3d4e5f60718";
    private static readonly EmulatedZone Zone = new("us-east-1", "us-east-1a", "use1-az4");
    private static readonly CloudCatalog Catalog = CatalogLoader.LoadDirectory(Path.Combine(RepoPaths.Config, "catalog")).Clouds;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_two_node_replica_on_ec2_launches_two_instances_with_their_own_tokens_and_terminates_both()
    {
        await using var ec2 = await Ec2Emulator.StartAsync(World());
        await using var provider = AwsCloudProvider.Create(new AwsProviderOptions
        {
            Regions = new() { [Zone.Region] = new AwsRegionOptions { ImageId = Image, Subnets = new() { [Zone.Name] = "subnet-0aaa000000000000a" } } },
            Endpoint = ec2.Url,
            SecurityGroupIds = ["sg-0123456789abcdef0"],
            AgentInstallUrl = "https://downloads.example.com/skyserve/replica-agent-linux-x64.tar.gz",
            InterruptionQueueUrl = ec2.QueueUrl,
            InterruptionQueueWaitSeconds = 1,
            RequestTimeout = TimeSpan.FromSeconds(10),
        }, Catalog, new BasicAWSCredentials(AccessKey, SecretKey));
        using var data = new TempDirectory();
        var app = await ControllerHost.BuildAsync(new ControllerOptions
        {
            DataDirectory = data.Path,
            Urls = "http://127.0.0.1:0",
            Reconcile = new ReconcileOptions { Interval = TimeSpan.FromMilliseconds(250), MachineListInterval = TimeSpan.FromMilliseconds(500) },
        }, provider: provider);
        await app.StartAsync();
        try
        {
            var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var api = new HttpClient { BaseAddress = new Uri(url) };
            api.DefaultRequestHeaders.Authorization = new("Bearer", app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ControllerOptions>>().Value.ApiToken);
            var created = await api.PostAsync("/api/v1/services?name=nodes", new StringContent("""
                service:
                  readiness_probe: /health
                  replicas: 1
                  ports: 8080
                resources:
                  infra: aws/us-east-1/us-east-1a
                  accelerators: T4:1
                num_nodes: 2
                run: python3 -m http.server 8080
                """, Encoding.UTF8, "application/yaml"));
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());

            var service = "";
            await Eventually.TrueAsync(async () =>
            {
                service = await api.GetStringAsync("/api/v1/services/nodes/events?limit=50");
                return Live(ec2).Count == 2;
            }, Timeout, () => $"two instances; the emulator has {Describe(ec2)}; events: {service}");
            var instances = Live(ec2).OrderBy(i => i.Tags[MachineTags.NodeRank]).ToList();
            Assert.Equal(["0", "1"], instances.Select(i => i.Tags[MachineTags.NodeRank]));
            Assert.All(instances, i => Assert.Equal((Zone.Name, instances[0].InstanceType, "nodes"), (i.Zone, i.InstanceType, i.Tags[MachineTags.Service])));
            Assert.Equal(2, instances.Select(i => i.ClientToken).Distinct().Count()); // a token each
            foreach (var instance in instances) // each boot script exports SkyPilot's variables (values base64-encoded in it)
            {
                Assert.Contains("export SKYPILOT_NODE_RANK=", instance.UserData);
                Assert.Contains("export SKYPILOT_NUM_GPUS_PER_NODE=", instance.UserData);
            }
            await Task.Delay(TimeSpan.FromSeconds(1)); // a few more passes: nothing is launched twice
            Assert.Equal(2, ec2.World.Instances.Count);

            Assert.True((await api.DeleteAsync("/api/v1/services/nodes")).IsSuccessStatusCode);
            await Eventually.TrueAsync(() => Live(ec2).Count == 0, Timeout, () => $"both instances terminated; the emulator has {Describe(ec2)}");
            Assert.Equal(2, ec2.World.Instances.Count);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static List<EmulatedInstance> Live(Ec2Emulator ec2) =>
        ec2.World.Instances.Where(i => i.State is "pending" or "running").ToList();

    private static string Describe(Ec2Emulator ec2) =>
        string.Join(", ", ec2.World.Instances.Select(i => $"{i.InstanceId} {i.State} rank {i.Tags.GetValueOrDefault(MachineTags.NodeRank)}"));

    private static Ec2EmulatorOptions World()
    {
        var offerings = Catalog.InCloud("aws").Where(o => o.Zone == Zone.Id).ToList();
        return new Ec2EmulatorOptions
        {
            Zones = [Zone],
            InstanceTypes = offerings.GroupBy(o => o.InstanceType).ToDictionary(g => g.Key, g => (int)g.First().VCpus),
            TypeOfferings = offerings.Select(o => (o.InstanceType, Zone.Name)).ToList(),
            SpotPrices = offerings.Where(o => o.SpotPerHour is not null).Select(o => (o.InstanceType, Zone.Name, o.SpotPerHour!.Value)).ToList(),
            Images = [(Zone.Region, Image)],
            Subnets = [("subnet-0aaa000000000000a", Zone.Name)],
            SecurityGroups = ["sg-0123456789abcdef0"],
            Credentials = new() { [AccessKey] = SecretKey },
            AddressPrefix = "127",
        };
    }
}
