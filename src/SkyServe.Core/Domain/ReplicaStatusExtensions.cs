namespace SkyServe.Core.Domain;

public static class ReplicaStatusExtensions
{
    /// <summary>Terminal states: the replica owns no machine any more (or gave up trying to clean one).</summary>
    public static bool IsTerminal(this ReplicaStatus status) => status is
        ReplicaStatus.FAILED_PROVISION or ReplicaStatus.FAILED_INITIAL_DELAY or ReplicaStatus.FAILED_PROBING or
        ReplicaStatus.FAILED or ReplicaStatus.FAILED_CLEANUP or ReplicaStatus.PREEMPTED;

    /// <summary>
    /// Over and done with: terminal, and not FAILED_CLEANUP (whose machine may still run and bill, so operators must
    /// see it). Replica lists leave these out unless asked for all; their events keep the story.
    /// </summary>
    public static bool IsFinished(this ReplicaStatus status) => status.IsTerminal() && status != ReplicaStatus.FAILED_CLEANUP;
}
