namespace SkyServe.Core.Simulation;

/// <summary>
/// Follows a plan fixed in advance (the optimum's): at each tick, launch or terminate (youngest first) until each zone
/// holds <c>Spot[zone][tick]</c> spot replicas and <c>OnDemand[tick]</c> on-demand ones run.
/// </summary>
public sealed class ScriptedPolicy(int[][] spot, int[] onDemand) : ISimulatedPolicy
{
    public TickDecision Decide(FleetView view)
    {
        var t = view.Tick;
        var launches = new List<int>();
        var terminations = new List<int>();
        for (var zone = 0; zone < view.Zones; zone++)
        {
            var here = view.Replicas.Where(replica => replica.Zone == zone).OrderByDescending(replica => replica.LaunchTick).ToList();
            var wanted = spot[zone][t];
            if (here.Count > wanted)
                terminations.AddRange(here.Take(here.Count - wanted).Select(replica => replica.Id));
            for (var i = here.Count; i < wanted; i++)
                launches.Add(zone);
        }
        var running = view.Replicas.Where(replica => !replica.IsSpot).OrderByDescending(replica => replica.LaunchTick).ToList();
        if (running.Count > onDemand[t])
            terminations.AddRange(running.Take(running.Count - onDemand[t]).Select(replica => replica.Id));
        return new TickDecision(launches, Math.Max(0, onDemand[t] - running.Count), terminations);
    }

    public void Observe(TickOutcome outcome)
    {
    }
}
