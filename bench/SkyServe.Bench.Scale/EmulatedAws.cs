using SkyServe.Cloud.Emulators.Aws;
using SkyServe.Core.Catalog;

namespace SkyServe.Bench.Scale;

/// <summary>
/// The EC2 account the benchmark's controller launches into: two regions with three zones each, every AWS type of the
/// catalog that is sold there, spot and on demand, no capacity limit and vCPU quotas far above 10,000 instances;
/// private addresses in 127.0.0.0/8 so the stand-in agent answers for every VM. The controller's settings for it.
/// </summary>
public static class EmulatedAws
{
    public const string AccessKey = "AKIDSKYSERVESCALE001";
    public const string SecretKey = "skyserve/scale/wJalrXUtnFEMIK7MDENGbPxR";
    public const string SecurityGroup = "sg-0123456789abcdef0";
    public const int VcpuQuota = 1_000_000; // 250,000 four-vCPU instances, spot and on demand each

    public static readonly EmulatedZone[] Zones =
    [
        new("us-east-1", "us-east-1a", "use1-az4"), new("us-east-1", "us-east-1b", "use1-az6"), new("us-east-1", "us-east-1c", "use1-az1"),
        new("us-west-2", "us-west-2a", "usw2-az1"), new("us-west-2", "us-west-2b", "usw2-az2"), new("us-west-2", "us-west-2c", "usw2-az3"),
    ];

    public static readonly Dictionary<string, string> Images = new()
    {
        ["us-east-1"] = "ami-0a1b2c3d4e5f60718",
        ["us-west-2"] = "ami-0f9e8d7c6b5a40312",
    };

    public static async Task<Ec2Emulator> StartAsync(string configDirectory)
    {
        var catalog = CatalogLoader.LoadDirectory(Path.Combine(configDirectory, "catalog")).Clouds;
        var byId = Zones.ToDictionary(z => z.Id);
        var offerings = catalog.InCloud("aws").Where(o => byId.ContainsKey(o.Zone)).ToList();
        var emulator = await Ec2Emulator.StartAsync(new Ec2EmulatorOptions
        {
            Zones = [.. Zones],
            InstanceTypes = offerings.GroupBy(o => o.InstanceType).ToDictionary(g => g.Key, g => (int)g.First().VCpus),
            TypeOfferings = offerings.Select(o => (o.InstanceType, byId[o.Zone].Name)).Distinct().ToList(),
            SpotPrices = offerings.Where(o => o.SpotPerHour is not null)
                .Select(o => (o.InstanceType, byId[o.Zone].Name, o.SpotPerHour!.Value)).Distinct().ToList(),
            Images = Images.Select(i => (i.Key, i.Value)).ToList(),
            SecurityGroups = [SecurityGroup],
            Credentials = new() { [AccessKey] = SecretKey },
            AddressPrefix = "127",
        }, TimeProvider.System);
        emulator.World.SetVcpuLimits(VcpuQuota, VcpuQuota);
        return emulator;
    }

    /// <summary>The controller's SkyServe:Clouds:Aws settings for <paramref name="emulator"/> (as SkyServe__... variables, without the prefix).</summary>
    public static Dictionary<string, string> ControllerSettings(Ec2Emulator emulator, int agentPort)
    {
        var settings = new Dictionary<string, string>
        {
            ["Clouds:Aws:Endpoint"] = emulator.Url,
            ["Clouds:Aws:SecurityGroupIds:0"] = SecurityGroup,
            ["Clouds:Aws:AgentInstallUrl"] = "https://downloads.example.com/skyserve/replica-agent-linux-x64.tar.gz",
            ["Clouds:Aws:AgentPort"] = agentPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Clouds:Aws:InterruptionQueueUrl"] = emulator.QueueUrl,
        };
        foreach (var (region, image) in Images)
            settings[$"Clouds:Aws:Regions:{region}:ImageId"] = image;
        return settings;
    }

    public static Dictionary<string, string> Credentials() => new()
    {
        ["AWS_ACCESS_KEY_ID"] = AccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = SecretKey,
    };
}
