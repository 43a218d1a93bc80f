namespace SkyServe.Core.Simulation;

/// <summary>What one tick did to the spot replicas, per zone (indices of the run's zone order).</summary>
/// <param name="Launches">Every spot launch of the tick in order: its zone and whether it was granted.</param>
/// <param name="Preempted">Replicas the zone took away this tick.</param>
/// <param name="Noticed">Replicas that received an interruption notice this tick.</param>
/// <param name="Held">Spot replicas in the zone after the tick.</param>
public sealed record TickOutcome(
    int Tick,
    IReadOnlyList<(int Zone, bool Granted)> Launches,
    IReadOnlyList<int> Preempted,
    IReadOnlyList<int> Noticed,
    IReadOnlyList<int> Held)
{
    public int Refused(int zone) => Launches.Count(launch => launch.Zone == zone && !launch.Granted);

    public int Granted(int zone) => Launches.Count(launch => launch.Zone == zone && launch.Granted);
}
