using Microsoft.EntityFrameworkCore;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Services;
using SkyServe.Core.Domain;
using SkyServe.Core.Policies;

namespace SkyServe.Controller.Reconcile;

/// <summary>
/// What a notice does to a replica, wherever it came from (the provider's stream or the agent's own
/// metadata watcher): out of rotation at once, its location PREEMPTED, the deadline recorded so that the
/// planner launches the replacement now. The caller saves.
/// </summary>
public static class NoticeHandling
{
    public static async Task<bool> ApplyAsync(ControllerDb db, LocationStates locations, ReplicaRecord replica,
        DateTimeOffset deadline, DateTimeOffset receivedAt, string source, CancellationToken ct)
    {
        if (replica.NoticeDeadline is not null || replica.Status.IsTerminal() || replica.Status == ReplicaStatus.SHUTTING_DOWN)
            return false;
        var now = receivedAt.UtcDateTime;
        replica.NoticeDeadline = deadline.UtcDateTime;
        var reason = $"interruption notice ({source}): the cloud reclaims the machine at {deadline:HH:mm:ss.fff}";
        if (replica.Status is ReplicaStatus.READY or ReplicaStatus.STARTING or ReplicaStatus.NOT_READY)
            db.SetStatus(replica, ReplicaStatus.NOT_READY, reason, now);
        else
            db.AddNote(replica, reason, now);
        if (replica.IsSpot)
        {
            var candidates = await db.LocationStates.Where(l => l.ServiceId == replica.ServiceId)
                .Select(l => new Location(l.Cloud, l.Region, l.Zone)).ToListAsync(ct);
            await locations.PreemptedAsync(db, replica.ServiceId, new Location(replica.Cloud, replica.Region, replica.Zone), candidates, now, ct);
        }
        return true;
    }
}
