namespace SkyServe.Core.Policies;

/// <summary>What the service has seen of a location: its SpotHedge status and its preemption history.</summary>
public sealed record LocationState(Location Location, LocationStatus Status, int Preemptions = 0, DateTimeOffset? LastPreemptedAt = null)
{
    public static LocationState ActiveAt(Location location) => new(location, LocationStatus.Active);
}
