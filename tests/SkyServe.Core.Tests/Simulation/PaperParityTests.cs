using SkyServe.Core.Simulation;

namespace SkyServe.Core.Tests.Simulation;

/// <summary>
/// The SpotHedge paper's microbenchmark with its settings (N_tar 3, N_extra 1, 30 s ticks, 120 s cold start, on-demand
/// 3x spot, 10 repeats of 24 h, seed 0) against the artifact's reference figures in traces/README.md.
/// </summary>
public sealed class PaperParityTests
{
    // (availability %, relative cost %) from traces/README.md.
    private static readonly Dictionary<(string, SimPolicy), (double Availability, double Cost)> Reference = new()
    {
        [("AWS1", SimPolicy.EvenSpread)] = (30.35, 19.43),
        [("AWS1", SimPolicy.RoundRobin)] = (87.99, 30.01),
        [("AWS1", SimPolicy.SpotHedge)] = (99.29, 51.36),
        [("AWS2", SimPolicy.EvenSpread)] = (38.22, 20.69),
        [("AWS2", SimPolicy.RoundRobin)] = (77.41, 27.04),
        [("AWS2", SimPolicy.SpotHedge)] = (97.58, 57.26),
    };

    [Theory]
    [InlineData("AWS1")]
    [InlineData("AWS2")]
    public void SpotHedge_and_the_baselines_land_on_the_reference_figures_in_the_same_order(string trace)
    {
        var rows = Evaluation.Run(SharedTraceScenarios.Named(trace), [SimPolicy.EvenSpread, SimPolicy.RoundRobin, SimPolicy.SpotHedge], new SimulationSettings());
        foreach (var row in rows)
        {
            var (availability, cost) = Reference[(trace, row.Policy)];
            Assert.True(Math.Abs(row.Availability.Mean * 100 - availability) <= 1.5,
                $"{trace} {row.PolicyName}: availability {row.Availability.Mean * 100:F2}% vs reference {availability}%");
            Assert.True(Math.Abs(row.RelativeCost.Mean * 100 - cost) <= 5,
                $"{trace} {row.PolicyName}: relative cost {row.RelativeCost.Mean * 100:F2}% vs reference {cost}%");
        }
        var availabilities = rows.Select(row => row.Availability.Mean).ToList();
        Assert.True(availabilities[0] < availabilities[1] && availabilities[1] < availabilities[2],
            $"{trace}: availability should rise from even spread to round robin to SpotHedge: {string.Join(", ", availabilities)}");
        Assert.True(availabilities[0] < 0.5, "even spread is far less available");
    }
}
