namespace SkyServe.Core.Simulation;

/// <summary>
/// Baseline (the paper's "even spread"): N_tar spot replicas, each missing one topped up level by level over the zones
/// in order (every zone with the fewest replicas gets one, then the next level), blind to capacity and history. A zone
/// that refuses keeps being asked again; no on-demand.
/// </summary>
public sealed class EvenSpreadPolicy(int replicas) : ISimulatedPolicy
{
    public TickDecision Decide(FleetView view)
    {
        var counts = Enumerable.Range(0, view.Zones).Select(view.SpotIn).ToArray();
        var missing = replicas - counts.Sum();
        var launches = new List<int>();
        for (var level = 0; missing > 0; level++)
            for (var zone = 0; zone < view.Zones && missing > 0; zone++)
                if (counts[zone] == level)
                {
                    counts[zone]++;
                    launches.Add(zone);
                    missing--;
                }
        return new TickDecision(launches, 0, []);
    }

    public void Observe(TickOutcome outcome)
    {
    }
}
