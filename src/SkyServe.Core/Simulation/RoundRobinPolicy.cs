namespace SkyServe.Core.Simulation;

/// <summary>
/// Baseline (the paper's "round robin"): N_tar spot replicas, each missing one launched in the next zone of a cursor
/// that persists across ticks, whatever happened there; no on-demand.
/// </summary>
public sealed class RoundRobinPolicy(int replicas) : ISimulatedPolicy
{
    private int cursor;

    public TickDecision Decide(FleetView view)
    {
        var missing = replicas - view.Replicas.Count(replica => replica.IsSpot);
        var launches = new List<int>();
        for (var i = 0; i < missing; i++)
        {
            launches.Add(cursor);
            cursor = (cursor + 1) % view.Zones;
        }
        return new TickDecision(launches, 0, []);
    }

    public void Observe(TickOutcome outcome)
    {
    }
}
