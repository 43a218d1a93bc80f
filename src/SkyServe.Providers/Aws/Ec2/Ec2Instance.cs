using Amazon.EC2.Model;

namespace SkyServe.Providers.Aws.Ec2;

/// <summary>The parts of an EC2 instance description (AWSSDK.EC2's <see cref="Instance"/>) this provider uses.</summary>
public sealed record Ec2Instance(
    string InstanceId,
    string InstanceType,
    string AvailabilityZone,
    string StateName,
    DateTimeOffset LaunchTime,
    bool Spot,
    string? ClientToken,
    IReadOnlyDictionary<string, string> Tags)
{
    public string? PrivateIpAddress { get; init; }
    public string? PublicIpAddress { get; init; }
    /// <summary>Why the instance last changed state, e.g. Server.SpotInstanceTermination or Client.UserInitiatedShutdown.</summary>
    public string? StateReasonCode { get; init; }
    public string? StateReasonMessage { get; init; }

    /// <summary>EC2 took the machine back (spot interruption), as its state transition reason says.</summary>
    public bool WasPreempted => StateReasonCode is "Server.SpotInstanceTermination" or "Server.SpotInstanceShutdown";

    public MachineState State => Ec2InstanceStates.ToMachineState(StateName);

    public static Ec2Instance From(Instance instance) => new(
        instance.InstanceId ?? throw new FormatException("an EC2 instance description without instanceId"),
        instance.InstanceType?.Value ?? throw new FormatException("an EC2 instance description without instanceType"),
        instance.Placement?.AvailabilityZone ?? "",
        instance.State?.Name?.Value ?? "pending",
        instance.LaunchTime is { } launched ? Utc(launched) : DateTimeOffset.MinValue,
        instance.InstanceLifecycle?.Value == "spot",
        instance.ClientToken is { Length: > 0 } token ? token : null,
        (instance.Tags ?? []).Where(t => t.Key is not null).GroupBy(t => t.Key).ToDictionary(g => g.Key, g => g.Last().Value ?? ""))
    {
        PrivateIpAddress = instance.PrivateIpAddress is { Length: > 0 } p ? p : null,
        PublicIpAddress = instance.PublicIpAddress is { Length: > 0 } a ? a : null,
        StateReasonCode = instance.StateReason?.Code,
        StateReasonMessage = instance.StateReason?.Message,
    };

    /// <summary>A time the SDK read from EC2's answer (UTC or local), as an instant; MinValue when absent.</summary>
    public static DateTimeOffset Utc(DateTime? value) => value switch
    {
        null => DateTimeOffset.MinValue,
        { Kind: DateTimeKind.Unspecified } v => new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)),
        { } v => new DateTimeOffset(v.ToUniversalTime()),
    };
}
