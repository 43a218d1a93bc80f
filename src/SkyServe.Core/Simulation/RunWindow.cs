using SkyServe.Core.Policies;

namespace SkyServe.Core.Simulation;

/// <summary>
/// One repeat's slice of a scenario: the zones in this repeat's shuffled order and their capacities from the start
/// offset on (<c>Capacity[zone][tick]</c>, ticks 0 .. <c>Ticks + lead − 1</c> so that notices can look ahead).
/// </summary>
public sealed record RunWindow(int Repeat, int Offset, IReadOnlyList<SimZone> Zones, int[][] Capacity, int Ticks)
{
    public IReadOnlyList<Location> Locations => Zones.Select(zone => zone.Location).ToList();

    /// <summary>Capacity of <paramref name="zone"/> at <paramref name="tick"/>; past the window, the last known value.</summary>
    public int CapacityAt(int zone, int tick)
    {
        var row = Capacity[zone];
        return row[Math.Min(tick, row.Length - 1)];
    }

    /// <summary>
    /// The repeats of <paramref name="scenario"/>: offsets drawn as NumPy's <c>RandomState(seed).randint(0, L − T)</c>
    /// (the SpotHedge artifact's, so seed 0 gives its very windows), zones shuffled per repeat (cumulatively, as the
    /// artifact's in-place shuffle does) by a seeded stream.
    /// </summary>
    public static IReadOnlyList<RunWindow> Plan(TraceScenario scenario, SimulationSettings settings)
    {
        var length = scenario.Length;
        if (length <= settings.Ticks)
            throw new ArgumentException(
                $"{scenario.Name}: the traces cover {length} ticks of {settings.TickSeconds} s, not more than the {settings.Ticks} ticks a run needs");
        var offsets = new Mt19937((uint)settings.Seed);
        var shuffle = SimRandom.Derive(settings.Seed, "zone order");
        var order = Enumerable.Range(0, scenario.Zones.Length).ToList();
        var lead = settings.NoticeTicks;
        var windows = new List<RunWindow>();
        for (var repeat = 0; repeat < settings.Repeats; repeat++)
        {
            var offset = offsets.RandInt(length - settings.Ticks);
            shuffle.Shuffle(order);
            var zones = order.Select(index => scenario.Zones[index]).ToList();
            var capacity = zones.Select(zone =>
            {
                var row = new int[settings.Ticks + lead];
                for (var t = 0; t < row.Length; t++)
                    row[t] = zone.Capacity[Math.Min(offset + t, zone.Capacity.Length - 1)];
                return row;
            }).ToArray();
            windows.Add(new RunWindow(repeat, offset, zones, capacity, settings.Ticks));
        }
        return windows;
    }
}
