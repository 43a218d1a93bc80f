using Microsoft.Extensions.Configuration;

namespace SkyServe.Providers.Aws;

/// <summary>
/// Settings of the AWS provider: configuration section <c>SkyServe:Clouds:Aws</c> (environment variables
/// <c>SkyServe__Clouds__Aws__...</c>, e.g. <c>SkyServe__Clouds__Aws__Regions__us-east-1__ImageId=ami-...</c>).
/// Credentials are not here: they come from AWS's usual chain (environment, profile, instance role).
/// </summary>
public sealed record AwsProviderOptions
{
    public const string SectionName = "SkyServe:Clouds:Aws";

    /// <summary>The regions to serve, by name (us-east-1, ...), each with its AMI and network.</summary>
    public Dictionary<string, AwsRegionOptions> Regions { get; init; } = new();

    /// <summary>
    /// EC2 endpoint override (an emulator, a VPC endpoint): <c>http://127.0.0.1:5000</c>, or with a
    /// <c>{region}</c> placeholder. Default: https://ec2.{region}.amazonaws.com.
    /// </summary>
    public string? Endpoint { get; init; }

    /// <summary>Security groups for every region that names none of its own. They must let the controller reach <see cref="AgentPort"/>.</summary>
    public List<string> SecurityGroupIds { get; init; } = [];

    /// <summary>EC2 key pair name for SSH access; none by default.</summary>
    public string? KeyName { get; init; }

    /// <summary>IAM instance profile for the replicas, by name or ARN (arn:aws:iam::...:instance-profile/...); none by default.</summary>
    public string? InstanceProfile { get; init; }

    /// <summary>
    /// Where the machine downloads the ReplicaAgent: a .tar.gz of its linux-x64 self-contained publish, as
    /// <c>skyserve package</c> makes it (https or a presigned S3 URL). Null: the controller's own
    /// <c>GET /api/v1/agent/package</c>, whose SHA-256 the user data checks.
    /// </summary>
    public string? AgentInstallUrl { get; init; }

    /// <summary>The SHA-256 of the archive at <see cref="AgentInstallUrl"/> (64 hex digits), checked on the machine; null: not checked.</summary>
    public string? AgentInstallSha256 { get; init; }

    /// <summary>
    /// The port the agent serves on; the machine's endpoint is http://its-address:this. It must differ from
    /// the port a spec's <c>run:</c> engine listens on (<c>resources.ports</c>, often 8080), which the agent fronts.
    /// </summary>
    public int AgentPort { get; init; } = 8081;

    /// <summary>Reach agents on their public address instead of the private one (a controller outside the VPC).</summary>
    public bool UsePublicIp { get; init; }

    /// <summary>
    /// The AMIs' root device, which the spec's disk_size and disk_tier resize (Ubuntu and the Deep Learning AMIs:
    /// /dev/sda1; Amazon Linux: /dev/xvda). A spec's image_id must have the same one.
    /// </summary>
    public string RootDeviceName { get; init; } = "/dev/sda1";

    /// <summary>Extra tags on every instance and volume (cost allocation, ownership).</summary>
    public Dictionary<string, string> Tags { get; init; } = new();

    /// <summary>
    /// An SQS queue that an EventBridge rule feeds with "EC2 Spot Instance Interruption Warning" events
    /// (https://sqs.us-east-1.amazonaws.com/123456789012/name). Without one the notice stream only reports
    /// reclaims after the fact; the agents still see the two-minute notice through the instance metadata service.
    /// </summary>
    public string? InterruptionQueueUrl { get; init; }

    /// <summary>The SQS endpoint override (emulators); the queue URL itself by default.</summary>
    public string? InterruptionQueueEndpoint { get; init; }

    /// <summary>SQS long-poll wait, 0-20 seconds.</summary>
    public int InterruptionQueueWaitSeconds { get; init; } = 20;

    public TimeSpan SpotPriceRefresh { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan ZoneCoverageRefresh { get; init; } = TimeSpan.FromHours(1);
    public TimeSpan UnavailableOfferingTtl { get; init; } = TimeSpan.FromMinutes(3);
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Attempts per call, first included (the SDK's standard retry mode: MaxErrorRetry = this - 1).</summary>
    public int MaxAttempts { get; init; } = 5;
    /// <summary>The most the SDK's standard retry mode waits between attempts (its backoff is exponential with jitter).</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>MaxResults of Describe calls (5-1000).</summary>
    public int PageSize { get; init; } = 1000;

    public static AwsProviderOptions FromConfiguration(IConfiguration configuration) =>
        configuration.GetSection(SectionName).Get<AwsProviderOptions>() ?? new AwsProviderOptions();

    public Uri EndpointFor(string region) => Endpoint is { Length: > 0 } overridden
        ? new Uri(overridden.Replace("{region}", region, StringComparison.Ordinal))
        : new Uri($"https://ec2.{region}.amazonaws.com/");

    public IReadOnlyList<string> SecurityGroupsFor(string region) =>
        Regions.TryGetValue(region, out var r) && r.SecurityGroupIds.Count > 0 ? r.SecurityGroupIds : SecurityGroupIds;

    public string? KeyNameFor(string region) => Regions.TryGetValue(region, out var r) && r.KeyName is not null ? r.KeyName : KeyName;

    /// <summary>Every problem with these settings, as sentences; empty when they are usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Regions.Count == 0)
            problems.Add("no regions: set SkyServe:Clouds:Aws:Regions:<region>:ImageId");
        foreach (var (name, region) in Regions)
        {
            if (string.IsNullOrWhiteSpace(region.ImageId))
                problems.Add($"region {name} has no ImageId");
            foreach (var (zone, subnet) in region.Subnets)
                if (!zone.StartsWith(name, StringComparison.Ordinal) || string.IsNullOrWhiteSpace(subnet))
                    problems.Add($"subnet '{subnet}' of region {name} is given for zone '{zone}', which is not one of its zones");
        }
        // No URL is fine: the controller serves the archive itself (the controller's start checks it has one).
        if (!string.IsNullOrWhiteSpace(AgentInstallUrl) && !Uri.TryCreate(AgentInstallUrl, UriKind.Absolute, out _))
            problems.Add("AgentInstallUrl must be the absolute URL of the ReplicaAgent archive");
        if (!string.IsNullOrWhiteSpace(AgentInstallSha256) && !AgentPackage.IsSha256(AgentInstallSha256))
            problems.Add("AgentInstallSha256 must be a SHA-256 digest of 64 hex digits");
        if (AgentPort is < 1 or > 65535)
            problems.Add($"AgentPort {AgentPort} is not a port");
        if (PageSize is < 5 or > 1000)
            problems.Add($"PageSize {PageSize} is outside 5-1000");
        if (InterruptionQueueWaitSeconds is < 0 or > 20)
            problems.Add($"InterruptionQueueWaitSeconds {InterruptionQueueWaitSeconds} is outside 0-20");
        if (InterruptionQueueUrl is not null && !Uri.TryCreate(InterruptionQueueUrl, UriKind.Absolute, out _))
            problems.Add($"InterruptionQueueUrl '{InterruptionQueueUrl}' is not a URL");
        return problems;
    }
}
