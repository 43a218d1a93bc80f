using Microsoft.EntityFrameworkCore;
using SkyServe.Controller.Persistence;
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
        if (replica is null || !await NoticeHandling.ApplyAsync(db, locations, replica, notice.Deadline, notice.ReceivedAt, "cloud event", ct))
            return;
        await db.SaveChangesAsync(ct);
        log.LogInformation("replica {Replica} of service {Service} got an interruption notice for {Deadline}", replica.ReplicaId, replica.ServiceId, notice.Deadline);
        signal.Wake();
    }
}
