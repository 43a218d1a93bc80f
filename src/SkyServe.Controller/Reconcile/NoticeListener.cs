using Microsoft.EntityFrameworkCore;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Services;
using SkyServe.Core.Domain;
using SkyServe.Core.Policies;
using SkyServe.Providers;

namespace SkyServe.Controller.Reconcile;

/// <summary>
/// Acts on interruption notices the moment they arrive, before the machine dies: the replica leaves
/// rotation (NOT_READY), its location is marked PREEMPTED, and a pass launches the replacement.
/// SkyServe itself only learns of a preemption after the fact.
/// </summary>
public sealed class NoticeListener(
    ICloudProvider provider, IServiceScopeFactory scopes, ReconcileSignal signal, LocationStates locations,
    ILogger<NoticeListener> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var notice in provider.WatchInterruptionsAsync(stoppingToken))
                    await HandleAsync(notice, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "the interruption notice stream failed; resubscribing");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    public async Task HandleAsync(InterruptionNotice notice, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControllerDb>();
        var replica = await db.Replicas.SingleOrDefaultAsync(r => r.InstanceId == notice.MachineId, ct);
        if (replica is null || replica.NoticeDeadline is not null)
            return;
        var now = notice.ReceivedAt.UtcDateTime;
        replica.NoticeDeadline = notice.Deadline.UtcDateTime;
        var reason = $"interruption notice: the cloud reclaims the machine at {notice.Deadline:HH:mm:ss.fff}";
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
        await db.SaveChangesAsync(ct);
        log.LogInformation("replica {Replica} of service {Service} got an interruption notice for {Deadline}", replica.ReplicaId, replica.ServiceId, notice.Deadline);
        signal.Wake();
    }
}
