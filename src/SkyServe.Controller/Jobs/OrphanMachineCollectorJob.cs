using Microsoft.EntityFrameworkCore;
using Quartz;
using SkyServe.Controller.Cloud;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;
using SkyServe.Core.Policies;
using SkyServe.Providers;

namespace SkyServe.Controller.Jobs;

/// <summary>
/// Terminates machines tagged as ours that no replica row owns (a purged service, a crash at the wrong
/// moment). A row owns a machine by its instance id or by its launch token, which is recorded before the
/// launch, so a launch in flight is never mistaken for an orphan; a multi-node replica owns its workers' the same way.
/// </summary>
[DisallowConcurrentExecution]
public sealed class OrphanMachineCollectorJob(
    ICloudProvider provider, ControllerDb db, LeaderElection leader, JobSchedule schedule, TimeProvider time,
    DatabaseOutage outage, ILogger<OrphanMachineCollectorJob> log) : DatabaseJob(outage)
{
    protected override async Task RunAsync(CancellationToken ct)
    {
        if (!leader.HoldsLock)
            return; // one controller runs the jobs: the one that holds the reconcile lease
        db.Fence = leader.Generation;
        var machines = await provider.ListAsync(new Dictionary<string, string> { [MachineTags.ManagedBy] = MachineOwnership.ManagedBy }, ct);
        var owners = await db.Replicas.AsNoTracking().Select(r => new { r.InstanceId, r.LaunchToken, r.WorkerNodes }).ToListAsync(ct);
        // A multi-node replica owns its workers' machines too, by id or by their tokens (recorded with the row, before launch).
        var workers = owners.SelectMany(o => o.WorkerNodes ?? []).ToList();
        var byInstance = owners.Select(o => o.InstanceId).Concat(workers.Select(w => w.InstanceId)).OfType<string>().ToHashSet();
        var byToken = owners.Select(o => o.LaunchToken).Concat(workers.Select(w => w.LaunchToken)).Select(t => t.ToString()).ToHashSet();
        var orphans = OrphanSelection.Pick(machines.Select(m => new OwnedMachine(m.Id, m.ClientToken, m.LaunchedAt)), byInstance, byToken,
            time.GetUtcNow(), schedule.OrphanGrace).Select(o => o.Id).ToHashSet();
        if (orphans.Count > 0)
            await leader.EnsureHeldAsync(db, db.Fence!.Value, ct); // the last look before acting on the cloud
        foreach (var machine in machines.Where(m => orphans.Contains(m.Id)))
        {
            log.TerminatingOrphan(machine.Id, machine.Tags.GetValueOrDefault(MachineTags.Service), machine.Tags.GetValueOrDefault(MachineTags.Replica));
            await provider.TerminateAsync(machine.Id, ct);
        }
    }
}

internal static partial class OrphanMachineCollectorJobLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "terminating orphan machine {Machine} (service {Service}, replica {Replica})")]
    public static partial void TerminatingOrphan(this ILogger logger, string machine, string? service, string? replica);
}
