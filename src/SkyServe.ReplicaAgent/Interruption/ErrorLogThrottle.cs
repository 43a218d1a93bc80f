namespace SkyServe.ReplicaAgent.Interruption;

/// <summary>
/// Lets a repeating error through at most once per interval (a metadata service that is down would
/// otherwise log every poll), and says when to log that it works again.
/// </summary>
public sealed class ErrorLogThrottle(TimeProvider time, TimeSpan interval)
{
    private long? lastLoggedAt;
    private int suppressed;
    private bool awaitingRecovery;

    /// <summary>True when this error should be logged; <paramref name="suppressedBefore"/> counts those swallowed since the last one logged.</summary>
    public bool ShouldLogError(out int suppressedBefore)
    {
        if (lastLoggedAt is { } last && time.GetElapsedTime(last) < interval)
        {
            suppressed++;
            suppressedBefore = 0;
            return false;
        }
        lastLoggedAt = time.GetTimestamp();
        suppressedBefore = suppressed;
        suppressed = 0;
        awaitingRecovery = true;
        return true;
    }

    /// <summary>True once after a success that follows a logged error (so recoveries are throttled with the errors).</summary>
    public bool ShouldLogRecovery()
    {
        var result = awaitingRecovery;
        awaitingRecovery = false;
        return result;
    }
}
