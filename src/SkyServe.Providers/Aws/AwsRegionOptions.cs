namespace SkyServe.Providers.Aws;

/// <summary>Where and how to launch in one region. AMIs, subnets, security groups and key pairs are regional.</summary>
public sealed record AwsRegionOptions
{
    /// <summary>The AMI replicas boot (a GPU image with NVIDIA drivers, e.g. a Deep Learning AMI); required.</summary>
    public string? ImageId { get; init; }

    /// <summary>
    /// Subnet per availability zone name (us-east-1a: subnet-...). When any are given, only those zones are
    /// offered; when none are, every zone is offered and launches go to the default VPC's default subnet.
    /// </summary>
    public Dictionary<string, string> Subnets { get; init; } = new();

    /// <summary>Security groups for this region; the top-level list when empty.</summary>
    public List<string> SecurityGroupIds { get; init; } = [];

    /// <summary>EC2 key pair for SSH in this region; the top-level key name when null.</summary>
    public string? KeyName { get; init; }
}
