namespace SkyServe.Cloud.Emulators.Aws;

/// <summary>One instance in the emulator's world. Mutable; guarded by the world's lock.</summary>
public sealed class EmulatedInstance
{
    public required string InstanceId { get; init; }
    public required string ReservationId { get; init; }
    public required string Region { get; init; }
    public required string Zone { get; init; }
    public required string InstanceType { get; init; }
    public required string ImageId { get; init; }
    public required int VCpus { get; init; }
    public required bool Spot { get; init; }
    public required DateTimeOffset LaunchTime { get; init; }
    public required string PrivateIpAddress { get; init; }
    public string? SubnetId { get; init; }
    public string? ClientToken { get; init; }
    public string? SpotInstanceRequestId { get; init; }
    public string? KeyName { get; init; }
    public string? IamInstanceProfile { get; init; }
    public IReadOnlyList<string> SecurityGroupIds { get; init; } = [];
    public string? UserData { get; init; }
    public Dictionary<string, string> Tags { get; init; } = new();
    /// <summary>The volumes the request's block device mappings asked for (none: the AMI's own).</summary>
    public IReadOnlyList<EmulatedVolume> Volumes { get; init; } = [];

    public string State { get; set; } = "pending";
    public string? StateReasonCode { get; set; }
    public string? StateReasonMessage { get; set; }
    public string? Reason { get; set; }
    /// <summary>When a spot reclaim takes the instance (set by its interruption warning).</summary>
    public DateTimeOffset? NoticeDeadline { get; set; }
    public DateTimeOffset? ShutdownAt { get; set; }
    public DateTimeOffset? TerminatedAt { get; set; }

    public bool IsLive => State is not ("shutting-down" or "terminated");

    public static int StateCode(string state) => state switch
    {
        "pending" => 0,
        "running" => 16,
        "shutting-down" => 32,
        "terminated" => 48,
        "stopping" => 64,
        "stopped" => 80,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };
}
