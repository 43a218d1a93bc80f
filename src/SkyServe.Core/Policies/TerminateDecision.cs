namespace SkyServe.Core.Policies;

public sealed record TerminateDecision(int ReplicaId, string Reason);
