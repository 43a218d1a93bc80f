using System.Text.Json.Serialization;

namespace SkyServe.Contracts.Notices;

/// <summary>Why the machine goes away, as far as the metadata service tells. On the wire: preemption, maintenance, termination.</summary>
[JsonConverter(typeof(WireEnumConverter<InterruptionKind>))]
public enum InterruptionKind
{
    /// <summary>Spot capacity reclaimed (AWS instance-action, GCP preempted, Azure Preempt).</summary>
    [JsonStringEnumMemberName("preemption")]
    Preemption,

    /// <summary>Host maintenance that stops the machine (GCP TERMINATE_ON_HOST_MAINTENANCE).</summary>
    [JsonStringEnumMemberName("maintenance")]
    Maintenance,

    /// <summary>The machine is deleted (Azure Terminate, e.g. a scale set scaling in).</summary>
    [JsonStringEnumMemberName("termination")]
    Termination,
}

public static class InterruptionKinds
{
    /// <summary>The kind's name on the wire and in messages.</summary>
    public static string WireName(this InterruptionKind kind) => kind switch
    {
        InterruptionKind.Preemption => "preemption",
        InterruptionKind.Maintenance => "maintenance",
        InterruptionKind.Termination => "termination",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an interruption kind"),
    };
}
