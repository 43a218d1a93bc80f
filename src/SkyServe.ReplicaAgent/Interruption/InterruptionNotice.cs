using SkyServe.Contracts.Notices;
namespace SkyServe.ReplicaAgent.Interruption;

/// <summary>A notice the agent has received, as /health reports it.</summary>
/// <param name="Time">The deadline: when the cloud takes the machine.</param>
/// <param name="Source">The metadata format it came through: "aws", "gcp" or "azure".</param>
public sealed record InterruptionNotice(
    InterruptionAction Action, DateTimeOffset Time, DateTimeOffset ReceivedAt, string Source, InterruptionKind Kind = InterruptionKind.Preemption);
