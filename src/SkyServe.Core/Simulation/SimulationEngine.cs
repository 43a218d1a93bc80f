namespace SkyServe.Core.Simulation;

/// <summary>
/// Replays one run tick by tick: the policy decides from the fleet as last observed; terminations go first; on-demand
/// launches always succeed; a spot launch succeeds while its zone has spare capacity, else it is refused (a failed
/// launch); a zone whose capacity falls below the spot replicas there preempts the surplus (announced ones first, then
/// the youngest in the parity model, random ones in the controller model); with a notice lead, replicas that the
/// capacity <c>lead</c> ticks ahead cannot hold are announced now and taken at that tick. The policy then observes the
/// tick. Deterministic: the same window, policy and seed give the same trace.
/// </summary>
public static class SimulationEngine
{
    public static RunTrace Run(RunWindow window, ISimulatedPolicy policy, SimulationSettings settings, SimRandom victims)
    {
        var ticks = window.Ticks;
        var zones = window.Zones.Count;
        var d = settings.ColdStartTicks;
        var lead = settings.NoticeTicks;
        var randomVictims = settings.Model == SimulationModel.Controller;
        var fleet = new List<SimReplica>();
        var nextId = 1;
        var ready = new int[ticks];
        var spot = new int[ticks];
        var onDemand = new int[ticks];
        var failed = 0;
        var preemptions = 0;

        for (var t = 0; t < ticks; t++)
        {
            var decision = policy.Decide(new FleetView(t, d, zones, fleet.ToList()));
            if (decision.Terminations.Count > 0)
            {
                var doomed = decision.Terminations.ToHashSet();
                fleet.RemoveAll(replica => doomed.Contains(replica.Id));
            }
            for (var i = 0; i < decision.OnDemandLaunches; i++)
                fleet.Add(new SimReplica(nextId++, SimReplica.OnDemandZone, t));

            var preempted = new int[zones];
            var noticed = new int[zones];
            // Announced replicas whose deadline has come go, whatever the capacity does now.
            foreach (var replica in fleet.Where(replica => replica.NoticeDeadline <= t).ToList())
            {
                fleet.Remove(replica);
                preempted[replica.Zone]++;
            }

            var launches = new List<(int Zone, bool Granted)>();
            var held = new int[zones];
            foreach (var replica in fleet.Where(replica => replica.IsSpot))
                held[replica.Zone]++;
            foreach (var zone in decision.SpotLaunches)
            {
                var granted = held[zone] < window.CapacityAt(zone, t);
                launches.Add((zone, granted));
                if (!granted)
                {
                    failed++;
                    continue;
                }
                fleet.Add(new SimReplica(nextId++, zone, t));
                held[zone]++;
            }

            for (var zone = 0; zone < zones; zone++)
            {
                var surplus = held[zone] - window.CapacityAt(zone, t);
                if (surplus <= 0)
                    continue;
                foreach (var victim in Victims(fleet, zone, surplus, randomVictims, victims))
                    fleet.Remove(victim);
                preempted[zone] += surplus;
                held[zone] -= surplus;
            }
            preemptions += preempted.Sum();

            if (lead > 0)
                Announce(fleet, window, t, lead, held, noticed, randomVictims, victims);

            foreach (var replica in fleet)
            {
                if (replica.IsReadyAt(t, d))
                    ready[t]++;
                if (replica.IsSpot)
                    spot[t]++;
                else
                    onDemand[t]++;
            }
            policy.Observe(new TickOutcome(t, launches, preempted, noticed, held));
        }
        return new RunTrace(ready, spot, onDemand, failed, preemptions, d);
    }

    /// <summary>Announced replicas first, then the youngest (parity) or random ones (controller).</summary>
    private static IEnumerable<SimReplica> Victims(List<SimReplica> fleet, int zone, int count, bool random, SimRandom victims)
    {
        var candidates = fleet.Where(replica => replica.Zone == zone).ToList();
        var announced = candidates.Where(replica => replica.NoticeDeadline is not null).OrderBy(replica => replica.NoticeDeadline).ToList();
        var rest = candidates.Where(replica => replica.NoticeDeadline is null).ToList();
        if (random)
            victims.Shuffle(rest);
        else
            rest = rest.OrderByDescending(replica => replica.LaunchTick).ThenByDescending(replica => replica.Id).ToList();
        return announced.Concat(rest).Take(count).ToList();
    }

    /// <summary>Notices for the replicas that the capacity <paramref name="lead"/> ticks ahead will not hold.</summary>
    private static void Announce(List<SimReplica> fleet, RunWindow window, int t, int lead, int[] held, int[] noticed, bool random, SimRandom victims)
    {
        for (var zone = 0; zone < held.Length; zone++)
        {
            var ahead = window.CapacityAt(zone, t + lead);
            var announced = fleet.Count(replica => replica.Zone == zone && replica.NoticeDeadline is not null);
            var toAnnounce = held[zone] - ahead - announced;
            if (toAnnounce <= 0)
                continue;
            var unannounced = fleet.Where(replica => replica.Zone == zone && replica.NoticeDeadline is null).ToList();
            if (random)
                victims.Shuffle(unannounced);
            else
                unannounced = unannounced.OrderByDescending(replica => replica.LaunchTick).ThenByDescending(replica => replica.Id).ToList();
            foreach (var replica in unannounced.Take(toAnnounce))
            {
                fleet[fleet.IndexOf(replica)] = replica with { NoticeDeadline = t + lead };
                noticed[zone]++;
            }
        }
    }
}
