using SkyServe.Core.Hosting;

namespace SkyServe.Core.Policies;

/// <summary>Launch failures in a row that were not about capacity, and when the next launch may be tried.</summary>
public sealed record LaunchBackoffState(int Failures, DateTimeOffset? NotBefore)
{
    public static readonly LaunchBackoffState None = new(0, null);
}

/// <summary>
/// How many of a plan's launches go ahead now: no more than <c>maxInFlight</c> launching at once per service, and none
/// while the service waits out a back-off (doubling per failure in a row, up to a cap; a success starts over).
/// Capacity refusals are not failures here: SpotHedge moves to another location instead.
/// </summary>
public static class LaunchAdmission
{
    public static bool MayLaunch(LaunchBackoffState state, DateTimeOffset now) => state.NotBefore is not { } notBefore || now >= notBefore;

    public static int Room(LaunchBackoffState state, DateTimeOffset now, int maxInFlight, int inFlight) =>
        MayLaunch(state, now) ? Math.Max(0, maxInFlight - inFlight) : 0;

    public static LaunchBackoffState AfterFailure(LaunchBackoffState state, DateTimeOffset now, TimeSpan first, TimeSpan max)
    {
        var failures = state.Failures + 1;
        return new LaunchBackoffState(failures, now + new Backoff(first, max).DelayAfter(failures));
    }

    public static LaunchBackoffState AfterSuccess => LaunchBackoffState.None;
}
