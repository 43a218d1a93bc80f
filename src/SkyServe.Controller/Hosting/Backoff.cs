namespace SkyServe.Controller.Hosting;

/// <summary>
/// How long a loop waits after a failure: doubling from <paramref name="first"/> up to <paramref name="max"/>,
/// back to the start after a success. The cap is short so that the loop notices a returning database within seconds.
/// </summary>
public sealed class Backoff(TimeSpan first, TimeSpan max)
{
    private readonly TimeSpan start = first;
    private TimeSpan next = first;

    public TimeSpan Next()
    {
        var delay = next;
        next = TimeSpan.FromTicks(Math.Min(next.Ticks * 2, max.Ticks));
        return delay;
    }

    public void Reset() => next = start;
}
