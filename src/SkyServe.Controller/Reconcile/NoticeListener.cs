using SkyServe.Providers;

namespace SkyServe.Controller.Reconcile;

/// <summary>
/// Acts on interruption notices the moment they arrive, before the machine dies: the replica leaves
/// rotation (NOT_READY), its location is marked PREEMPTED, and a pass launches the replacement.
/// SkyServe itself only learns of a preemption after the fact.
/// </summary>
public sealed class NoticeListener(ICloudProvider provider, NoticeIntake intake, ILogger<NoticeListener> log) : BackgroundService
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

    public Task HandleAsync(InterruptionNotice notice, CancellationToken ct) =>
        intake.ApplyAsync(notice.MachineId, notice.Deadline, notice.ReceivedAt, "cloud event", ct);
}
