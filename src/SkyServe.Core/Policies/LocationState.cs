namespace SkyServe.Core.Policies;

/// <summary>What the service has seen of a location: its SpotHedge status and its preemption history.</summary>
/// <param name="Preemptions">Spot replicas the location took away.</param>
/// <param name="LastPreemptedAt">The location's last failure: the last time it took a spot replica away, or refused one where the refusal was reported with its time.</param>
public sealed record LocationState(Location Location, LocationStatus Status, int Preemptions = 0, DateTimeOffset? LastPreemptedAt = null)
{
    public static LocationState ActiveAt(Location location) => new(location, LocationStatus.Active);
}
