namespace SkyServe.Core.Domain;

/// <summary>Service lifecycle (DESIGN.md section 5), named as SkyPilot names it.</summary>
public enum ServiceStatus
{
    CONTROLLER_INIT,
    REPLICA_INIT,
    READY,
    NO_REPLICA,
    SHUTTING_DOWN,
    FAILED,
    FAILED_CLEANUP,
}
