using SkyServe.Core.Simulation;

namespace SkyServe.Core.Tests.Simulation;

/// <summary>
/// hedge_plus against SpotHedge with the paper's settings on every shared trace folder: at least SpotHedge's
/// availability at a lower cost. A folder with several instance types (AWS-2022-2zone) is one run per type, and the
/// folder's figures are the mean over its runs; every run must cost less.
/// </summary>
public sealed class HedgePlusDominanceTests
{
    [Theory]
    [InlineData("AWS1")]
    [InlineData("AWS2")]
    [InlineData("AWS-2022-2zone")]
    public void Hedge_plus_is_at_least_as_available_as_spothedge_and_cheaper(string folder)
    {
        var runs = SharedTraceScenarios.Scenarios.Where(scenario => SharedTraceScenarios.Folder(scenario) == folder).ToList();
        Assert.NotEmpty(runs);
        var pairs = runs.Select(scenario =>
        {
            var rows = Evaluation.Run(scenario, [SimPolicy.SpotHedge, SimPolicy.HedgePlus], new SimulationSettings());
            return (Scenario: scenario.Name, SpotHedge: rows[0], HedgePlus: rows[1]);
        }).ToList();

        foreach (var (scenario, spotHedge, hedgePlus) in pairs)
            Assert.True(hedgePlus.RelativeCost.Mean < spotHedge.RelativeCost.Mean,
                $"{scenario}: hedge_plus costs {hedgePlus.RelativeCost.Mean:P2}, SpotHedge {spotHedge.RelativeCost.Mean:P2}");

        var availability = (SpotHedge: pairs.Average(p => p.SpotHedge.Availability.Mean), HedgePlus: pairs.Average(p => p.HedgePlus.Availability.Mean));
        var cost = (SpotHedge: pairs.Average(p => p.SpotHedge.RelativeCost.Mean), HedgePlus: pairs.Average(p => p.HedgePlus.RelativeCost.Mean));
        Assert.True(availability.HedgePlus >= availability.SpotHedge,
            $"{folder}: hedge_plus availability {availability.HedgePlus:P3} < SpotHedge {availability.SpotHedge:P3}");
        Assert.True(cost.HedgePlus < cost.SpotHedge, $"{folder}: hedge_plus cost {cost.HedgePlus:P2} >= SpotHedge {cost.SpotHedge:P2}");
    }
}
