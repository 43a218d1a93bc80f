using SkyServe.Core.Hosting;

namespace SkyServe.ReplicaAgent.Interruption;

/// <summary>
/// How long the watcher waits before its next poll: the poll interval while the metadata service answers; after
/// failures in a row, twice as long per failure, up to <see cref="Cap"/>. A metadata service that is gone (an
/// orphaned local agent) is then asked a couple of times a minute instead of several times a second; one that
/// comes back is noticed within the cap, and a single failure costs only one interval more.
/// </summary>
public static class MetadataPollBackoff
{
    public static readonly TimeSpan Cap = TimeSpan.FromSeconds(30);

    public static TimeSpan After(int failuresInARow, TimeSpan interval)
    {
        if (failuresInARow <= 0)
            return interval;
        var cap = interval > Cap ? interval : Cap; // a poll interval above the cap is never shortened
        // The interval is the wait of "no failure"; n failures are n doublings past it.
        return new Backoff(interval, cap).DelayAfter(failuresInARow == int.MaxValue ? failuresInARow : failuresInARow + 1);
    }
}
