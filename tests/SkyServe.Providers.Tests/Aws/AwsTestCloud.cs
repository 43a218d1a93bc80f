using Amazon.Runtime;
using SkyServe.Cloud.Emulators.Aws;
using SkyServe.Core.Catalog;
using SkyServe.Providers.Aws;
using SkyServe.Testing;

namespace SkyServe.Providers.Tests.Aws;

/// <summary>
/// An EC2 emulator stocked from the shipped catalog (config/catalog/aws.yaml) for us-east-1 and us-west-2,
/// with the account's zone names mapped to the catalog's zone IDs as AWS does (shuffled), a hand-driven
/// clock shared by emulator and provider, and providers configured against it.
/// </summary>
public sealed class AwsTestCloud : IAsyncDisposable
{
    public const string AccessKey = "AKIDSKYSERVETEST0001";
    public const string SecretKey = "skyserve/test/wJalrXUtnFEMIK7MDENG";
    public const string Region = "us-east-1";
    public const string OtherRegion = "us-west-2";
    public const string ImageEast = "ami-0a1b2c3d4e5f60718";
    public const string ImageWest = "ami-0f9e8d7c6b5a40312";
    /// <summary>Another AMI of us-east-1, for a spec's image_id.</summary>
    public const string ImageCustom = "ami-0c0ffee0c0ffee012";
    public const string SecurityGroup = "sg-0123456789abcdef0";
    public const string AgentUrl = "https://downloads.example.com/skyserve/replica-agent-linux-x64.tar.gz";

    public static readonly CloudCatalog Catalog = CatalogLoader.LoadDirectory(Path.Combine(RepoPaths.Config, "catalog")).Clouds;

    public static readonly EmulatedZone[] Zones =
    [
        new(Region, "us-east-1a", "use1-az4"), new(Region, "us-east-1b", "use1-az6"), new(Region, "us-east-1c", "use1-az1"),
        new(Region, "us-east-1d", "use1-az2"), new(Region, "us-east-1e", "use1-az3"), new(Region, "us-east-1f", "use1-az5"),
        new(OtherRegion, "us-west-2a", "usw2-az2"), new(OtherRegion, "us-west-2b", "usw2-az1"),
        new(OtherRegion, "us-west-2c", "usw2-az3"), new(OtherRegion, "us-west-2d", "usw2-az4"),
    ];

    private readonly List<AwsCloudProvider> providers = [];

    private AwsTestCloud(Ec2Emulator emulator, ManualClock clock)
    {
        Emulator = emulator;
        Clock = clock;
    }

    public Ec2Emulator Emulator { get; }
    public ManualClock Clock { get; }
    public Ec2World World => Emulator.World;

    public static async Task<AwsTestCloud> StartAsync(Func<Ec2EmulatorOptions, Ec2EmulatorOptions>? configure = null)
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var options = EmulatorOptions();
        return new AwsTestCloud(await Ec2Emulator.StartAsync(configure?.Invoke(options) ?? options, clock), clock);
    }

    /// <summary>What the catalog says EC2 sells where, as the emulator's world.</summary>
    public static Ec2EmulatorOptions EmulatorOptions()
    {
        var byId = Zones.ToDictionary(z => z.Id);
        var offerings = Catalog.InCloud("aws").Where(o => byId.ContainsKey(o.Zone)).ToList();
        return new Ec2EmulatorOptions
        {
            Zones = [.. Zones],
            InstanceTypes = offerings.GroupBy(o => o.InstanceType).ToDictionary(g => g.Key, g => (int)g.First().VCpus),
            TypeOfferings = offerings.Select(o => (o.InstanceType, byId[o.Zone].Name)).ToList(),
            SpotPrices = offerings.Where(o => o.SpotPerHour is not null).Select(o => (o.InstanceType, byId[o.Zone].Name, o.SpotPerHour!.Value)).ToList(),
            Images = [(Region, ImageEast), (OtherRegion, ImageWest), (Region, ImageCustom)],
            Subnets = [("subnet-0aaa000000000000a", "us-east-1a"), ("subnet-0bbb000000000000b", "us-east-1b")],
            SecurityGroups = [SecurityGroup],
            Credentials = new() { [AccessKey] = SecretKey },
            SigningClock = TimeProvider.System, // the SDK signs with the real time; the tests drive the world's clock
        };
    }

    /// <summary>Provider settings against this emulator: us-east-1 through two subnets, us-west-2 through its default VPC.</summary>
    public AwsProviderOptions Options() => new()
    {
        Regions = new()
        {
            [Region] = new AwsRegionOptions
            {
                ImageId = ImageEast,
                Subnets = new() { ["us-east-1a"] = "subnet-0aaa000000000000a", ["us-east-1b"] = "subnet-0bbb000000000000b" },
            },
            [OtherRegion] = new AwsRegionOptions { ImageId = ImageWest },
        },
        Endpoint = Emulator.Url,
        SecurityGroupIds = [SecurityGroup],
        KeyName = "skyserve-ops",
        InstanceProfile = "skyserve-replica",
        AgentInstallUrl = AgentUrl,
        InterruptionQueueUrl = Emulator.QueueUrl,
        InterruptionQueueWaitSeconds = 1,
        MaxAttempts = 3,
        RetryMaxDelay = TimeSpan.FromMilliseconds(5),
        RequestTimeout = TimeSpan.FromSeconds(10),
    };

    public AwsCloudProvider Provider(AwsProviderOptions? options = null, AWSCredentials? credentials = null)
    {
        var provider = AwsCloudProvider.Create(options ?? Options(), Catalog, credentials ?? new BasicAWSCredentials(AccessKey, SecretKey), Clock);
        lock (providers)
            providers.Add(provider);
        return provider;
    }

    public static OfferingKey Key(string zone, string type, bool spot) =>
        new("aws", zone[..^1], zone, type, spot);

    public static LaunchRequest Launch(OfferingKey offering, string? token = null, Dictionary<string, string>? tags = null) =>
        new(token ?? Guid.NewGuid().ToString("N"), offering, tags ?? new Dictionary<string, string> { [MachineTags.ManagedBy] = "aws-tests" });

    public async ValueTask DisposeAsync()
    {
        foreach (var provider in providers)
            await provider.DisposeAsync();
        await Emulator.DisposeAsync();
    }
}
