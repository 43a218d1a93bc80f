using SkyServe.Core.Traces;
using Xunit.Abstractions;

namespace SkyServe.Core.Tests.Traces;

/// <summary>
/// The random process with default parameters lands in the band the real traces span: each generated trace's mean
/// available and dry stretch within [0.5 × the smallest, 2 × the largest] real value, some dry time, several
/// instances lost at once in multi-node zones, and zones of one region more alike than zones of different regions.
/// </summary>
public sealed class RandomVersusRealTests(ITestOutputHelper output)
{
    private static readonly RandomCapacityZone[] Zones =
    [
        new("us-west-2a", 4), new("us-west-2b", 4), new("us-west-2c", 16),
        new("us-east-1a", 16), new("us-east-1b", 4), new("us-east-2a", 1),
    ];

    private static readonly int[] Seeds = [0, 1, 2, 3, 4, 5, 6, 7];

    [Fact]
    public void Defaults_land_in_the_band_of_the_real_traces()
    {
        var real = SharedTraces.All().Select(t => TraceStatistics.Of(t)).ToList();
        var realMultiNode = SharedTraces.Load("AWS1").Traces.Concat(SharedTraces.Load("AWS2").Traces).Select(t => TraceStatistics.Of(t)).ToList();
        var available = Band(real.Select(s => s.MeanAvailableStretchHours));
        var dry = Band(real.Select(s => s.MeanDryStretchHours));
        var partial = Band(realMultiNode.Select(s => s.PartialFraction));
        output.WriteLine($"band: available stretch {available}, dry stretch {dry}, partial (multi-node) {partial}");

        var sameRegion = new List<double>();
        var crossRegion = new List<double>();
        foreach (var seed in Seeds)
        {
            // 3200 samples of 300 s: 267 h, about as long as AWS1 and AWS2.
            var stats = TraceSetStatistics.Of(RandomSpotCapacity.Generate(Zones, 300, 3200, seed));
            output.WriteLine($"seed {seed}: mean correlation same region {stats.MeanSameRegionCorrelation:F2}, across regions {stats.MeanCrossRegionCorrelation:F2}");
            foreach (var trace in stats.Traces)
            {
                output.WriteLine("  " + trace);
                Assert.True(available.Contains(trace.MeanAvailableStretchHours), $"seed {seed}: {trace}");
                Assert.True(dry.Contains(trace.MeanDryStretchHours), $"seed {seed}: {trace}");
                Assert.InRange(trace.ZeroFraction, 0.01, 0.99);
                if (trace.FullCapacity >= 4)
                {
                    Assert.True(trace.MultiNodeDropCount > 0, $"seed {seed}: {trace}");
                    Assert.True(partial.Contains(trace.PartialFraction), $"seed {seed}: {trace}");
                }
            }
            sameRegion.Add(stats.MeanSameRegionCorrelation!.Value);
            crossRegion.Add(stats.MeanCrossRegionCorrelation!.Value);
        }

        output.WriteLine($"over seeds: same region {sameRegion.Average():F2}, across regions {crossRegion.Average():F2}");
        Assert.InRange(sameRegion.Average(), 0.05, 0.7);
        Assert.InRange(crossRegion.Average(), -0.1, 0.1);
        Assert.True(sameRegion.Average() > crossRegion.Average() + 0.05);
    }

    private static Range Band(IEnumerable<double> values)
    {
        var list = values.ToList();
        return new Range(0.5 * list.Min(), 2 * list.Max());
    }

    private readonly record struct Range(double Low, double High)
    {
        public bool Contains(double value) => value >= Low && value <= High;

        public override string ToString() => $"[{Low:F2}, {High:F2}]";
    }
}
