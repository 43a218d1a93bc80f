using SkyServe.ReplicaAgent.Health;
using SkyServe.ReplicaAgent.Hosting;

namespace SkyServe.ReplicaAgent.Interruption;

/// <summary>
/// Asks the metadata service for an interruption notice every poll interval. The first notice makes
/// the replica unready, is announced on stdout and reported to the controller at once (with
/// --controller-url); then there is nothing left to watch for. Metadata errors are logged at most once a
/// minute and never taken for a notice; while they last, polls back off (<see cref="MetadataPollBackoff"/>).
/// With --orphan-exit-after-ms, a metadata service that has failed every poll for that long means the machine's
/// runtime is gone (the local runtime's metadata server died with its controller; on a cloud it never goes
/// away): the agent says so in one line and stops, its engine with it.
/// </summary>
public sealed class InterruptionWatcher(
    IInterruptionNoticeSource source,
    AgentState state,
    AgentOptions options,
    StatusLineWriter status,
    ControllerNoticeReporter reporter,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<InterruptionWatcher> logger) : BackgroundService
{
    public static readonly TimeSpan ErrorLogInterval = TimeSpan.FromMinutes(1);

    private readonly ErrorLogThrottle errors = new(time, ErrorLogInterval);
    private int failuresInARow;
    private DateTimeOffset? failingSince;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            InterruptionNotice? notice;
            while ((notice = await PollOnceAsync(stoppingToken)) is null)
            {
                if (Orphaned())
                {
                    status.WriteLine($"orphaned: the metadata service at {options.MetadataUrl} has failed every poll for " +
                        $"{(time.GetUtcNow() - failingSince!.Value).TotalSeconds:0} s (--orphan-exit-after-ms " +
                        $"{options.OrphanExitAfter!.Value.TotalMilliseconds:0}): its machine is gone; stopping the agent and its engine");
                    lifetime.StopApplication();
                    return;
                }
                await Task.Delay(NextDelay(), time, stoppingToken);
            }
            await reporter.ReportAsync(notice, stoppingToken);
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: whatever the poll in flight was doing no longer matters.
        }
    }

    /// <summary>One question to the metadata service; the notice once one has been received.</summary>
    private async Task<InterruptionNotice?> PollOnceAsync(CancellationToken stoppingToken)
    {
        ScheduledInterruption? scheduled;
        try
        {
            scheduled = await source.CheckAsync(stoppingToken);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            failingSince ??= time.GetUtcNow();
            failuresInARow++;
            if (errors.ShouldLogError(out var suppressed))
                logger.MetadataPollFailed(source.Name, options.MetadataUrl, Describe(e), suppressed > 0 ? $" ({suppressed} more errors since the last report)" : "",
                    MetadataPollBackoff.Cap.TotalSeconds);
            return null;
        }

        failingSince = null;
        failuresInARow = 0;

        if (errors.ShouldLogRecovery())
            logger.MetadataAnswersAgain(source.Name, options.MetadataUrl);
        if (scheduled is null)
            return null;

        var notice = new InterruptionNotice(scheduled.Action, scheduled.Time, time.GetUtcNow(), source.Name, scheduled.Kind);
        if (state.RecordInterruption(notice))
            status.WriteLine($"interruption notice: action={notice.Action.ToString().ToLowerInvariant()} time={UtcTimestamp.Format(notice.Time)} " +
                $"kind={notice.Kind.ToString().ToLowerInvariant()} source={notice.Source}");
        return state.Interruption;
    }

    private bool Orphaned() =>
        options.OrphanExitAfter is { } bound && failingSince is { } since && time.GetUtcNow() - since >= bound;

    /// <summary>The back-off, but never past the moment the agent would count as orphaned (that poll decides).</summary>
    private TimeSpan NextDelay()
    {
        var delay = MetadataPollBackoff.After(failuresInARow, options.MetadataPollInterval);
        if (options.OrphanExitAfter is { } bound && failingSince is { } since)
        {
            var left = since + bound - time.GetUtcNow();
            if (left < delay)
                delay = left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
        return delay;
    }

    // HttpClient's timeout surfaces as a cancellation; say what it was.
    private static string Describe(Exception e) => e switch
    {
        OperationCanceledException => $"no answer within {MetadataHttp.RequestTimeout.TotalSeconds:0.#} s",
        HttpRequestException http => http.Message,
        _ => e.Message,
    };
}

internal static partial class InterruptionWatcherLog
{
    [LoggerMessage(Level = LogLevel.Warning,
        Message = "metadata service ({Format}) at {Url} failed: {Error}{Suppressed}; still polling, backing off up to {Cap} s, errors are logged at most once a minute")]
    public static partial void MetadataPollFailed(this ILogger logger, string format, Uri? url, string error, string suppressed, double cap);

    [LoggerMessage(Level = LogLevel.Information, Message = "metadata service ({Format}) at {Url} answers again")]
    public static partial void MetadataAnswersAgain(this ILogger logger, string format, Uri? url);
}
