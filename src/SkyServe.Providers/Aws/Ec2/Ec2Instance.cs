using System.Xml.Linq;

namespace SkyServe.Providers.Aws.Ec2;

/// <summary>The parts of an EC2 instance description (<c>instancesSet/item</c>) this provider uses.</summary>
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

    public static Ec2Instance Parse(XElement item)
    {
        var tags = item.Items("tagSet")
            .Where(t => t.Text("key") is not null)
            .GroupBy(t => t.Text("key")!)
            .ToDictionary(g => g.Key, g => g.Last().Text("value") ?? "");
        var reason = item.Child("stateReason");
        return new Ec2Instance(
            Required(item, "instanceId"),
            Required(item, "instanceType"),
            item.Child("placement").Text("availabilityZone") ?? "",
            item.Child("instanceState").Text("name") ?? "pending",
            item.Text("launchTime") is { } launched ? Ec2Xml.ParseTime(launched) : DateTimeOffset.MinValue,
            item.Text("instanceLifecycle") == "spot",
            item.Text("clientToken"),
            tags)
        {
            PrivateIpAddress = item.Text("privateIpAddress"),
            PublicIpAddress = item.Text("ipAddress"),
            StateReasonCode = reason.Text("code"),
            StateReasonMessage = reason.Text("message"),
        };
    }

    private static string Required(XElement item, string name) =>
        item.Text(name) ?? throw new FormatException($"an EC2 instance description without {name}");
}
