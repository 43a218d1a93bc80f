namespace SkyServe.ReplicaAgent.Interruption;

/// <summary>A notice the agent has received, as /health reports it.</summary>
/// <param name="Source">The metadata format it came through, e.g. "aws".</param>
public sealed record InterruptionNotice(InterruptionAction Action, DateTimeOffset Time, DateTimeOffset ReceivedAt, string Source);
