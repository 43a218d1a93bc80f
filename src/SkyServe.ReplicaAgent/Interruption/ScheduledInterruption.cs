using SkyServe.Contracts.Notices;
namespace SkyServe.ReplicaAgent.Interruption;

/// <summary>A notice as the metadata service states it: what happens, when, and why.</summary>
/// <param name="Time">The deadline: when the cloud takes the machine (stated by AWS and Azure, assumed for GCP).</param>
public sealed record ScheduledInterruption(InterruptionAction Action, DateTimeOffset Time, InterruptionKind Kind = InterruptionKind.Preemption);
