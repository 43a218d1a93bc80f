using SkyServe.ReplicaAgent.Health;
using SkyServe.ReplicaAgent.Hosting;

namespace SkyServe.ReplicaAgent.Interruption;

/// <summary>
/// Asks the metadata service for an interruption notice every poll interval. The first notice makes
/// the replica unready, is announced on stdout and reported to the controller at once (with
/// --controller-url); then there is nothing left to watch for. Metadata errors never stop it: they are
/// logged at most once a minute, and never taken for a notice.
/// </summary>
public sealed class InterruptionWatcher(
    IInterruptionNoticeSource source,
    AgentState state,
    AgentOptions options,
    StatusLineWriter status,
    ControllerNoticeReporter reporter,
    TimeProvider time,
    ILogger<InterruptionWatcher> logger) : BackgroundService
{
    public static readonly TimeSpan ErrorLogInterval = TimeSpan.FromMinutes(1);

    private readonly ErrorLogThrottle errors = new(time, ErrorLogInterval);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            InterruptionNotice? notice;
            while ((notice = await PollOnceAsync(stoppingToken)) is null)
                await Task.Delay(options.MetadataPollInterval, time, stoppingToken);
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
            if (errors.ShouldLogError(out var suppressed))
                logger.LogWarning("metadata service ({Format}) at {Url} failed: {Error}{Suppressed}; still polling, errors are logged at most once a minute",
                    source.Name, options.MetadataUrl, Describe(e), suppressed > 0 ? $" ({suppressed} more errors since the last report)" : "");
            return null;
        }

        if (errors.ShouldLogRecovery())
            logger.LogInformation("metadata service ({Format}) at {Url} answers again", source.Name, options.MetadataUrl);
        if (scheduled is null)
            return null;

        var notice = new InterruptionNotice(scheduled.Action, scheduled.Time, time.GetUtcNow(), source.Name, scheduled.Kind);
        if (state.RecordInterruption(notice))
            status.WriteLine($"interruption notice: action={notice.Action.ToString().ToLowerInvariant()} time={UtcTimestamp.Format(notice.Time)} " +
                $"kind={notice.Kind.ToString().ToLowerInvariant()} source={notice.Source}");
        return state.Interruption;
    }

    // HttpClient's timeout surfaces as a cancellation; say what it was.
    private static string Describe(Exception e) => e switch
    {
        OperationCanceledException => $"no answer within {MetadataHttp.RequestTimeout.TotalSeconds:0.#} s",
        HttpRequestException http => http.Message,
        _ => e.Message,
    };
}
