using SkyServe.Core.Domain;

namespace SkyServe.Core.Policies;

/// <summary>A replica as the policies see it.</summary>
/// <param name="NoticeDeadline">Set once the cloud announced it will reclaim the machine: the replica is leaving.</param>
public sealed record ReplicaSnapshot(
    int ReplicaId,
    int Version,
    ReplicaStatus Status,
    bool IsSpot,
    Location Location,
    string? Accelerator,
    DateTimeOffset CreatedAt,
    DateTimeOffset? NoticeDeadline = null)
{
    /// <summary>Counts toward its market's target: not ended, not shutting down, not under an interruption notice.</summary>
    public bool IsAlive => !Status.IsTerminal() && Status != ReplicaStatus.SHUTTING_DOWN && NoticeDeadline is null;

    public bool IsReady => Status == ReplicaStatus.READY && NoticeDeadline is null;
}
