using Microsoft.EntityFrameworkCore;
using Quartz;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;

namespace SkyServe.Controller.Jobs;

/// <summary>Brings every replica's cost to date up to now (spot or on-demand price × time since launch).</summary>
[DisallowConcurrentExecution]
public sealed class CostAccountingJob(ControllerDb db, LeaderElection leader, TimeProvider time, DatabaseOutage outage) : DatabaseJob(outage)
{
    protected override async Task RunAsync(CancellationToken ct)
    {
        if (!leader.HoldsLock)
            return; // one controller runs the jobs: the one that holds the reconcile lease
        db.Fence = leader.Generation;
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var replica in await db.Replicas.ToListAsync(ct))
            replica.CostToDate = CostAccounting.CostOf(replica, now);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // The reconcile loop wrote a replica meanwhile; the next run catches up.
        }
    }
}
