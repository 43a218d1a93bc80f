using SkyServe.Core.Domain;

namespace SkyServe.Core.Policies;

/// <summary>
/// Which replicas go first when there are too many (DESIGN.md section 5): the earliest stage first (PENDING,
/// PROVISIONING, STARTING, NOT_READY, READY), then older versions, then the newest replica id. Losing a replica
/// that serves nobody yet costs the least; among equals, the newest has sunk the least.
/// </summary>
public static class ScaleDownOrder
{
    /// <summary>
    /// Up to <paramref name="count"/> replicas to terminate, in order. Replicas already SHUTTING_DOWN or ended are
    /// never picked, and no replica is picked twice.
    /// </summary>
    public static IReadOnlyList<ReplicaSnapshot> Pick(IEnumerable<ReplicaSnapshot> candidates, int count, int currentVersion)
    {
        if (count <= 0)
            return [];
        return candidates
            .Where(CanBeTerminated)
            .DistinctBy(replica => replica.ReplicaId)
            .OrderBy(replica => StageRank(replica.Status))
            .ThenBy(replica => replica.Version < currentVersion ? 0 : 1)
            .ThenBy(replica => replica.Version)
            .ThenByDescending(replica => replica.ReplicaId)
            .Take(count)
            .ToList();
    }

    /// <summary>False once a replica is on its way out or gone: terminating it again would be a second decision.</summary>
    public static bool CanBeTerminated(ReplicaSnapshot replica) =>
        !replica.Status.IsTerminal() && replica.Status != ReplicaStatus.SHUTTING_DOWN;

    private static int StageRank(ReplicaStatus status) => status switch
    {
        ReplicaStatus.PENDING => 0,
        ReplicaStatus.PROVISIONING => 1,
        ReplicaStatus.STARTING => 2,
        ReplicaStatus.NOT_READY => 3,
        ReplicaStatus.READY => 4,
        _ => 5,
    };
}
