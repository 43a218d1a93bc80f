using SkyServe.ReplicaAgent.Health;
using SkyServe.ReplicaAgent.Hosting;

namespace SkyServe.ReplicaAgent.Interruption;

/// <summary>
/// Asks the metadata service for an interruption notice every poll interval. The first notice makes
/// the replica unready and is announced on stdout; then there is nothing left to watch for.
/// Metadata errors never stop it: they are logged at most once a minute.
/// </summary>
public sealed class InterruptionWatcher(
    IInterruptionNoticeSource source,
    AgentState state,
    AgentOptions options,
    StatusLineWriter status,
    TimeProvider time,
    ILogger<InterruptionWatcher> logger) : BackgroundService
{
    public static readonly TimeSpan ErrorLogInterval = TimeSpan.FromMinutes(1);

    private readonly ErrorLogThrottle errors = new(time, ErrorLogInterval);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!await PollOnceAsync(stoppingToken))
                await Task.Delay(options.MetadataPollInterval, time, stoppingToken);
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: whatever the poll in flight was doing no longer matters.
        }
    }

    /// <summary>One question to the metadata service; true once a notice has been received.</summary>
    private async Task<bool> PollOnceAsync(CancellationToken stoppingToken)
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
            return false;
        }

        if (errors.ShouldLogRecovery())
            logger.LogInformation("metadata service ({Format}) at {Url} answers again", source.Name, options.MetadataUrl);
        if (scheduled is null)
            return false;

        var notice = new InterruptionNotice(scheduled.Action, scheduled.Time, time.GetUtcNow(), source.Name);
        if (state.RecordInterruption(notice))
            status.WriteLine($"interruption notice: action={notice.Action.ToString().ToLowerInvariant()} time={UtcTimestamp.Format(notice.Time)}");
        return true;
    }

    // HttpClient's timeout surfaces as a cancellation; say what it was.
    private static string Describe(Exception e) => e switch
    {
        OperationCanceledException => $"no answer within {AwsImdsNoticeSource.RequestTimeout.TotalSeconds:0.#} s",
        HttpRequestException http => http.Message,
        _ => e.Message,
    };
}
