using System.Globalization;
using System.Text;

namespace SkyServe.Core.Simulation.Optimum;

/// <summary>
/// The omniscient optimum of one run as an integer program in CPLEX LP format, over the aggregate counts per zone
/// (replicas of one zone are interchangeable):
/// <code>
/// minimise   Σ_t ( Σ_z s[z,t] + k · o[t] )
/// subject to r[z,t] ≤ s[z,t−j]   for j = 0..d     (a spot replica is READY after d ticks of continuous life)
///            q[t]   ≤ o[t−j]     for j = 0..d     (the same for on-demand)
///            Σ_z r[z,t] + q[t] ≥ N_tar            for every tick t ≥ d
///            0 ≤ s[z,t] ≤ min(capacity[z,t], N_tar),  0 ≤ o[t] ≤ N_tar,  s and o integer
/// </code>
/// where <c>s</c> is the spot replicas held in a zone, <c>o</c> the on-demand replicas, and <c>r</c>, <c>q</c> the
/// READY ones (continuous: the minimum of integers is an integer). More than N_tar replicas in one market never helps,
/// hence the bound. Zone-ticks without capacity have no variable at all.
/// </summary>
public static class OptimalPlanProgram
{
    public static string Build(RunWindow window, SimulationSettings settings)
    {
        var ticks = window.Ticks;
        var zones = window.Zones.Count;
        var d = settings.ColdStartTicks;
        var n = settings.TargetReplicas;
        var lp = new StringBuilder(1 << 20);
        var k = settings.OnDemandCost.ToString("R", CultureInfo.InvariantCulture);

        bool Has(int zone, int t) => window.CapacityAt(zone, t) > 0;
        int Bound(int zone, int t) => Math.Min(window.CapacityAt(zone, t), n);
        bool Ready(int zone, int t)
        {
            for (var j = 0; j <= d; j++)
                if (!Has(zone, t - j))
                    return false;
            return true;
        }

        lp.AppendLine("\\ SkyServe sim: omniscient optimum of one run (minimum spot + k x on-demand replica-ticks)");
        lp.AppendLine("Minimize");
        lp.Append(" cost:");
        var terms = 0;
        void Term(string term)
        {
            lp.Append(' ').Append(term);
            if (++terms % 12 == 0)
                lp.AppendLine().Append(' ');
        }
        for (var t = 0; t < ticks; t++)
        {
            for (var z = 0; z < zones; z++)
                if (Has(z, t))
                    Term($"+ {Spot(z, t)}");
            Term($"+ {k} {OnDemand(t)}");
        }
        lp.AppendLine();

        lp.AppendLine("Subject To");
        for (var t = d; t < ticks; t++)
        {
            var cover = new StringBuilder($" cover_{t}: {ReadyOnDemand(t)}");
            for (var z = 0; z < zones; z++)
            {
                if (!Ready(z, t))
                    continue;
                cover.Append(" + ").Append(ReadySpot(z, t));
                for (var j = 0; j <= d; j++)
                    lp.AppendLine($" life_{z}_{t}_{j}: {ReadySpot(z, t)} - {Spot(z, t - j)} <= 0");
            }
            for (var j = 0; j <= d; j++)
                lp.AppendLine($" odlife_{t}_{j}: {ReadyOnDemand(t)} - {OnDemand(t - j)} <= 0");
            lp.Append(cover).AppendLine($" >= {n}");
        }

        lp.AppendLine("Bounds");
        for (var t = 0; t < ticks; t++)
        {
            for (var z = 0; z < zones; z++)
            {
                if (Has(z, t))
                    lp.AppendLine($" 0 <= {Spot(z, t)} <= {Bound(z, t)}");
                if (t >= d && Ready(z, t))
                    lp.AppendLine($" 0 <= {ReadySpot(z, t)} <= {n}");
            }
            lp.AppendLine($" 0 <= {OnDemand(t)} <= {n}");
            if (t >= d)
                lp.AppendLine($" 0 <= {ReadyOnDemand(t)} <= {n}");
        }

        lp.AppendLine("General");
        terms = 0;
        lp.Append(' ');
        for (var t = 0; t < ticks; t++)
        {
            for (var z = 0; z < zones; z++)
                if (Has(z, t))
                    Term(Spot(z, t));
            Term(OnDemand(t));
        }
        lp.AppendLine();
        lp.AppendLine("End");
        return lp.ToString();
    }

    public static string Spot(int zone, int tick) => $"s_{zone}_{tick}";

    public static string OnDemand(int tick) => $"o_{tick}";

    private static string ReadySpot(int zone, int tick) => $"r_{zone}_{tick}";

    private static string ReadyOnDemand(int tick) => $"q_{tick}";

    /// <summary>The plan in a solution: spot replicas per zone and tick, on-demand replicas per tick (absent variables are 0).</summary>
    public static (int[][] Spot, int[] OnDemand) Plan(IReadOnlyDictionary<string, double> values, int zones, int ticks)
    {
        int Value(string name) => values.TryGetValue(name, out var value) ? (int)Math.Round(value) : 0;
        var spot = Enumerable.Range(0, zones).Select(z => Enumerable.Range(0, ticks).Select(t => Value(Spot(z, t))).ToArray()).ToArray();
        var onDemand = Enumerable.Range(0, ticks).Select(t => Value(OnDemand(t))).ToArray();
        return (spot, onDemand);
    }
}
