using SkyServe.Core.Domain;

namespace SkyServe.Core.Policies;

/// <summary>
/// What a readiness probe result does to a replica (DESIGN.md section 5): READY only after a 200; a READY
/// replica that fails goes NOT_READY at once (out of rotation); failures while STARTING are ignored until
/// initial_delay_seconds has passed, then FAILED_INITIAL_DELAY; NOT_READY for longer than the grace is
/// FAILED_PROBING. Both failures mean the replica is replaced.
/// </summary>
public static class ProbeOutcome
{
    /// <returns>The new status and its reason, or null when the status stays.</returns>
    public static (ReplicaStatus Status, string Reason)? Next(
        ReplicaStatus status, bool ready, string? failure, TimeSpan inStatusFor, int initialDelaySeconds, TimeSpan notReadyGrace)
    {
        if (ready)
            return status == ReplicaStatus.READY ? null : (ReplicaStatus.READY, "readiness probe succeeded");
        return status switch
        {
            ReplicaStatus.STARTING when inStatusFor > TimeSpan.FromSeconds(initialDelaySeconds) =>
                (ReplicaStatus.FAILED_INITIAL_DELAY, $"not ready within initial_delay_seconds ({initialDelaySeconds} s): {failure}"),
            ReplicaStatus.READY => (ReplicaStatus.NOT_READY, $"readiness probe failed: {failure}"),
            ReplicaStatus.NOT_READY when inStatusFor > notReadyGrace =>
                (ReplicaStatus.FAILED_PROBING, $"not ready for {notReadyGrace.TotalSeconds:0} s: {failure}"),
            _ => null,
        };
    }
}
