namespace SkyServe.Cloud.Emulators.Aws;

/// <summary>One availability zone: its region, the account's name for it (us-east-1a) and its ID (use1-az4).</summary>
public sealed record EmulatedZone(string Region, string Name, string Id);

/// <summary>The world an <see cref="Ec2Emulator"/> starts with.</summary>
public sealed record Ec2EmulatorOptions
{
    public string AccountId { get; init; } = "123456789012";

    public List<EmulatedZone> Zones { get; init; } = [];

    /// <summary>Instance types EC2 knows, with their vCPUs (for the vCPU quotas).</summary>
    public Dictionary<string, int> InstanceTypes { get; init; } = new();

    /// <summary>Which type is sold in which zone (DescribeInstanceTypeOfferings; RunInstances elsewhere is Unsupported).</summary>
    public List<(string InstanceType, string Zone)> TypeOfferings { get; init; } = [];

    /// <summary>The current spot price per type and zone; a type without one has no spot market there.</summary>
    public List<(string InstanceType, string Zone, decimal Price)> SpotPrices { get; init; } = [];

    public List<(string Region, string ImageId)> Images { get; init; } = [];

    public List<(string SubnetId, string Zone)> Subnets { get; init; } = [];

    /// <summary>Security groups that exist; any sg-... is accepted when empty.</summary>
    public List<string> SecurityGroups { get; init; } = [];

    /// <summary>Access key id → secret access key.</summary>
    public Dictionary<string, string> Credentials { get; init; } = new();

    /// <summary>
    /// The first octet of private addresses (PREFIX.zone-index.x.y). "127" puts each instance on its own loopback
    /// address, so that a test can serve a stand-in agent at every instance's endpoint.
    /// </summary>
    public string AddressPrefix { get; init; } = "10";

    /// <summary>How long a new instance stays pending (emulator time).</summary>
    public TimeSpan PendingFor { get; init; } = TimeSpan.Zero;

    /// <summary>How long an instance stays shutting-down before it is terminated.</summary>
    public TimeSpan ShuttingDownFor { get; init; } = TimeSpan.Zero;

    /// <summary>The warning before a spot reclaim (AWS: two minutes).</summary>
    public TimeSpan SpotNoticeLead { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long terminated instances stay visible to DescribeInstances (AWS: about an hour).</summary>
    public TimeSpan TerminatedVisibleFor { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The SQS queue that receives the EventBridge spot interruption warnings.</summary>
    public string InterruptionQueueName { get; init; } = "skyserve-interruptions";

    /// <summary>How far a request's X-Amz-Date may be from the emulator's clock.</summary>
    public TimeSpan AllowedClockSkew { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The clock X-Amz-Date is checked against and answers' Date header tells (as AWS's does); the world's clock
    /// when null. A client that signs with the real time (AWSSDK) while a test drives the world's clock uses
    /// <see cref="TimeProvider.System"/>; one set apart from the client's makes its requests expire.
    /// </summary>
    public TimeProvider? SigningClock { get; init; }
}
