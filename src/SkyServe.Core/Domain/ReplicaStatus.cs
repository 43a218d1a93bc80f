namespace SkyServe.Core.Domain;

/// <summary>Replica lifecycle (DESIGN.md section 5). Stored by name, so the order here is free to change.</summary>
public enum ReplicaStatus
{
    PENDING,
    PROVISIONING,
    STARTING,
    READY,
    NOT_READY,
    SHUTTING_DOWN,
    FAILED_PROVISION,
    FAILED_INITIAL_DELAY,
    FAILED_PROBING,
    FAILED,
    FAILED_CLEANUP,
    PREEMPTED,
}
