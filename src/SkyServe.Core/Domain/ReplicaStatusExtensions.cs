namespace SkyServe.Core.Domain;

public static class ReplicaStatusExtensions
{
    /// <summary>Terminal states: the replica owns no machine any more (or gave up trying to clean one).</summary>
    public static bool IsTerminal(this ReplicaStatus status) => status is
        ReplicaStatus.FAILED_PROVISION or ReplicaStatus.FAILED_INITIAL_DELAY or ReplicaStatus.FAILED_PROBING or
        ReplicaStatus.FAILED or ReplicaStatus.FAILED_CLEANUP or ReplicaStatus.PREEMPTED;
}
