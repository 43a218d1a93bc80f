using SkyServe.Controller.Hosting;
using SkyServe.Controller.Persistence;
using SkyServe.Core.Hosting;
using SkyServe.Providers;

namespace SkyServe.Controller.Reconcile;

/// <summary>
/// Acts on interruption notices the moment they arrive, before the machine dies: the replica leaves
/// rotation (NOT_READY), its location is marked PREEMPTED, and a pass launches the replacement.
/// SkyServe itself only learns of a preemption after the fact. A notice that arrives while the database
/// is away is held and retried until it is back, rather than dropped.
/// </summary>
public sealed class NoticeListener(ICloudProvider provider, NoticeIntake intake, DatabaseOutage outage, ILogger<NoticeListener> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var notice in provider.WatchInterruptionsAsync(stoppingToken))
                {
                    await HandleAsync(notice, stoppingToken);
                    backoff.Reset();
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.NoticeStreamFailed(e.Message);
                await Task.Delay(backoff.Next(), stoppingToken);
            }
        }
    }

    public async Task HandleAsync(InterruptionNotice notice, CancellationToken ct)
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2));
        while (true)
        {
            try
            {
                await intake.ApplyAsync(notice.MachineId, notice.Deadline, notice.ReceivedAt, "cloud event", ct);
                outage.Succeeded();
                return;
            }
            catch (Exception e) when (DatabaseFailures.IsTransient(e) && !ct.IsCancellationRequested)
            {
                outage.Failed("interruption notice", e);
                await Task.Delay(backoff.Next(), ct);
            }
        }
    }
}

internal static partial class NoticeListenerLog
{
    [LoggerMessage(Level = LogLevel.Error, Message = "the interruption notice stream failed ({Error}); resubscribing")]
    public static partial void NoticeStreamFailed(this ILogger logger, string error);
}
