namespace SkyServe.ReplicaAgent.Interruption;

/// <summary>A notice as the metadata service states it: what happens, and when.</summary>
public sealed record ScheduledInterruption(InterruptionAction Action, DateTimeOffset Time);
