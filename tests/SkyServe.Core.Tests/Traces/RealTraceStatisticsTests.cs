using SkyServe.Core.Traces;
using Xunit.Abstractions;

namespace SkyServe.Core.Tests.Traces;

/// <summary>Measures the shared AWS traces and prints the figures (the random process's defaults were fitted to them).</summary>
public sealed class RealTraceStatisticsTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("AWS1")]
    [InlineData("AWS2")]
    [InlineData("AWS-2022-2zone")]
    public void Measures_the_real_traces(string folder)
    {
        var stats = TraceSetStatistics.Of(SharedTraces.Load(folder));

        output.WriteLine(folder);
        foreach (var trace in stats.Traces)
            output.WriteLine("  " + trace);
        foreach (var pair in stats.Pairs)
            output.WriteLine("  " + pair);
        output.WriteLine($"  mean correlation: same region {Show(stats.MeanSameRegionCorrelation)}, across regions {Show(stats.MeanCrossRegionCorrelation)}");

        // What the model relies on: every zone has dry time and available time, stretches last hours, not samples.
        Assert.All(stats.Traces, t =>
        {
            Assert.InRange(t.ZeroFraction, 0.05, 0.95);
            Assert.InRange(t.MeanAvailableStretchHours, 0.5, 24);
            Assert.InRange(t.MeanDryStretchHours, 0.5, 24);
            Assert.True(t.LongestDryStretchHours >= 5, t.ToString());
        });
    }

    private static string Show(double? correlation) => correlation?.ToString("F2", System.Globalization.CultureInfo.InvariantCulture) ?? "none";

    [Fact]
    public void Multi_node_traces_lose_several_instances_at_once()
    {
        foreach (var trace in SharedTraces.Load("AWS1").Traces.Concat(SharedTraces.Load("AWS2").Traces))
        {
            var stats = TraceStatistics.Of(trace);
            Assert.True(stats.MultiNodeDropCount >= 5, stats.ToString());
            Assert.InRange(stats.PartialFraction, 0.02, 0.2);
        }
    }

    [Fact]
    public void Two_zones_of_one_region_can_be_strongly_correlated()
    {
        var pair = Assert.Single(TraceSetStatistics.Of(SharedTraces.Load("AWS2")).Pairs, p => p.SameRegion);

        Assert.Equal(("us-west-2a_v100_1", "us-west-2c_v100_1"), (pair.First, pair.Second));
        Assert.InRange(pair.Correlation!.Value, 0.6, 0.8);
    }
}
