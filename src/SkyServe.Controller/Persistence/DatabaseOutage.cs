using Npgsql;

namespace SkyServe.Controller.Persistence;

/// <summary>
/// What every background loop and the API tell about a database that is away, said once: "database unreachable:
/// CAUSE; retrying" at the first failure, again at most once a <see cref="Reminder"/> while it lasts, and
/// "database is back after N s" at the first success after it. An outage would otherwise log a stack trace per
/// request and per loop turn (thousands of lines a minute).
/// </summary>
public sealed partial class DatabaseOutage(TimeProvider time, ILogger<DatabaseOutage> log)
{
    public static readonly TimeSpan Reminder = TimeSpan.FromMinutes(1);
    private readonly Lock gate = new();
    private DateTimeOffset? since;
    private DateTimeOffset lastLogged;
    private int suppressed;
    private volatile bool ongoing;

    /// <summary>True from a failure until the next success.</summary>
    public bool IsOngoing => ongoing;

    /// <summary>A database call by <paramref name="who"/> failed with a transient error (see <see cref="DatabaseFailures"/>).</summary>
    public void Failed(string who, Exception exception)
    {
        // Idle pooled connections died with the server: drop them so that the first calls after its return don't get them.
        NpgsqlConnection.ClearAllPools();
        var now = time.GetUtcNow();
        lock (gate)
        {
            if (since is null)
            {
                since = now;
                ongoing = true;
                (lastLogged, suppressed) = (now, 0);
                Unreachable(log, who, DatabaseFailures.Cause(exception));
            }
            else if (now - lastLogged >= Reminder)
            {
                StillUnreachable(log, (int)(now - since.Value).TotalSeconds, suppressed, who, DatabaseFailures.Cause(exception));
                (lastLogged, suppressed) = (now, 0);
            }
            else
                suppressed++;
        }
    }

    /// <summary>A database call succeeded: ends the outage if there was one.</summary>
    public void Succeeded()
    {
        if (!ongoing) // the common case, without the lock
            return;
        lock (gate)
        {
            if (since is null)
                return;
            Back(log, (time.GetUtcNow() - since.Value).TotalSeconds);
            since = null;
            ongoing = false;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "database unreachable ({Who}): {Cause}; retrying")]
    private static partial void Unreachable(ILogger log, string who, string cause);

    [LoggerMessage(Level = LogLevel.Warning, Message = "database still unreachable after {Seconds} s ({Failures} more failures; last by {Who}: {Cause}); retrying")]
    private static partial void StillUnreachable(ILogger log, int seconds, int failures, string who, string cause);

    [LoggerMessage(Level = LogLevel.Information, Message = "database is back after {Seconds:0} s")]
    private static partial void Back(ILogger log, double seconds);
}
