using Microsoft.EntityFrameworkCore;
using Quartz;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;

namespace SkyServe.Controller.Jobs;

/// <summary>
/// Keeps <c>service_events</c> from growing without bound: deletes events older than
/// <see cref="JobSchedule.KeepEventsFor"/>, and of a service with more than <see cref="JobSchedule.MaxEventsPerService"/>
/// events, all but the newest. Set-based deletes: one for the age, one per service over the cap.
/// </summary>
[DisallowConcurrentExecution]
public sealed class EventRetentionJob(ControllerDb db, LeaderElection leader, JobSchedule schedule, TimeProvider time, DatabaseOutage outage)
    : DatabaseJob(outage)
{
    protected override async Task RunAsync(CancellationToken ct)
    {
        if (!leader.HoldsLock)
            return; // one controller runs the jobs: the one that holds the reconcile lease
        db.Fence = leader.Generation;
        await DeleteAsync(db, time.GetUtcNow().UtcDateTime - schedule.KeepEventsFor, schedule.MaxEventsPerService, ct);
    }

    /// <summary>Deletes what the retention rules say, and returns how many events went.</summary>
    public static async Task<int> DeleteAsync(ControllerDb db, DateTime olderThan, int keepPerService, CancellationToken ct)
    {
        var deleted = await db.ServiceEvents.Where(e => e.At < olderThan).ExecuteDeleteAsync(ct);
        var crowded = await db.ServiceEvents.GroupBy(e => e.ServiceId).Where(g => g.Count() > keepPerService).Select(g => g.Key).ToListAsync(ct);
        foreach (var serviceId in crowded)
        {
            // The id of the oldest event to keep: events are numbered in the order they happened.
            var oldestKept = await db.ServiceEvents.Where(e => e.ServiceId == serviceId).OrderByDescending(e => e.Id)
                .Skip(keepPerService - 1).Select(e => e.Id).FirstAsync(ct);
            deleted += await db.ServiceEvents.Where(e => e.ServiceId == serviceId && e.Id < oldestKept).ExecuteDeleteAsync(ct);
        }
        return deleted;
    }
}
