using SkyServe.Core.Traces;

namespace SkyServe.Core.Tests.Traces;

/// <summary>The statistics on small traces whose answers can be counted by hand.</summary>
public sealed class TraceStatisticsTests
{
    private static SpotTrace Trace(string name, int gapSeconds, params int[] samples) => new(SpotTraceName.Parse(name + ".json"), gapSeconds, samples);

    [Fact]
    public void Fractions_stretches_and_drops_of_a_small_trace()
    {
        // 12 samples of 30 min: available 4,4,3 | dry 0,0 | available 4,1,4,4 | dry 0 | available 2,4.
        var stats = TraceStatistics.Of(Trace("us-west-2c_v100_4", 1800, 4, 4, 3, 0, 0, 4, 1, 4, 4, 0, 2, 4));

        Assert.Equal(4, stats.FullCapacity);
        Assert.Equal(6.0, stats.Hours, 9);
        Assert.Equal(6 / 12.0, stats.FullFraction, 9);
        Assert.Equal(3 / 12.0, stats.PartialFraction, 9);
        Assert.Equal(3 / 12.0, stats.ZeroFraction, 9);
        Assert.Equal(3, stats.AvailableStretchCount);
        Assert.Equal((3 + 4 + 2) / 3.0 * 0.5, stats.MeanAvailableStretchHours, 9);
        Assert.Equal(2.0, stats.LongestAvailableStretchHours, 9);
        Assert.Equal(2, stats.DryStretchCount);
        Assert.Equal(0.75, stats.MeanDryStretchHours, 9);
        Assert.Equal(1.0, stats.LongestDryStretchHours, 9);
        // Drops: 4→3 (1), 3→0 (3), 4→1 (3), 4→0 (4).
        Assert.Equal(4, stats.DropCount);
        Assert.Equal(11 / 4.0, stats.MeanDropSize, 9);
        Assert.Equal(3, stats.MultiNodeDropCount);
        Assert.Equal(16.0, stats.DropsPerDay, 9);
    }

    [Fact]
    public void A_trace_that_never_goes_dry_has_no_dry_stretch()
    {
        var stats = TraceStatistics.Of(Trace("z", 3600, 2, 2, 1, 2));

        Assert.Equal((0, 0.0, 0.0, 1, 4.0), (stats.DryStretchCount, stats.MeanDryStretchHours, stats.ZeroFraction, stats.AvailableStretchCount, stats.MeanAvailableStretchHours));
        Assert.Equal((1, 1.0), (stats.DropCount, stats.MeanDropSize));
    }

    [Fact]
    public void Full_capacity_can_be_given()
    {
        var stats = TraceStatistics.Of(Trace("z", 3600, 2, 2, 1, 0), fullCapacity: 4);

        Assert.Equal((0.0, 0.75, 0.25), (stats.FullFraction, stats.PartialFraction, stats.ZeroFraction));
    }

    [Fact]
    public void Availability_correlation_of_equal_opposite_and_independent_traces()
    {
        var a = Trace("a", 300, 0, 4, 4, 0, 2, 0, 1, 4);
        var same = Trace("b", 300, 0, 1, 1, 0, 1, 0, 1, 1);
        var opposite = Trace("c", 300, 3, 0, 0, 3, 0, 3, 0, 0);
        var constant = Trace("d", 300, 1, 1, 1, 1, 1, 1, 1, 1);
        // Two balanced 0/1 patterns whose co-occurrences cancel: correlation 0.
        var x = Trace("x", 300, 1, 1, 0, 0);
        var y = Trace("y", 300, 1, 0, 1, 0);

        Assert.Equal(1.0, TraceStatistics.AvailabilityCorrelation(a, same)!.Value, 9);
        Assert.Equal(-1.0, TraceStatistics.AvailabilityCorrelation(a, opposite)!.Value, 9);
        Assert.Equal(0.0, TraceStatistics.AvailabilityCorrelation(x, y)!.Value, 9);
        Assert.Null(TraceStatistics.AvailabilityCorrelation(a, constant));
    }

    [Fact]
    public void Correlation_uses_the_samples_both_traces_cover_and_needs_one_gap()
    {
        var shorter = Trace("a", 300, 1, 0, 1);
        var longer = Trace("b", 300, 1, 0, 1, 1, 1, 0);

        Assert.Equal(1.0, TraceStatistics.AvailabilityCorrelation(shorter, longer)!.Value, 9);
        Assert.Throws<ArgumentException>(() => TraceStatistics.AvailabilityCorrelation(shorter, Trace("c", 600, 1, 0, 1)));
    }

    [Fact]
    public void Set_statistics_mark_pairs_of_one_zone_and_one_region()
    {
        var set = new SpotTraceSet([
            Trace("us-west-2a_v100_1", 300, 1, 0, 1, 0),
            Trace("us-west-2a_k80_1", 300, 1, 0, 1, 0),
            Trace("us-west-2b_v100_1", 300, 1, 1, 0, 0),
            Trace("us-east-1a_v100_1", 300, 0, 1, 0, 1),
        ]);

        var stats = TraceSetStatistics.Of(set);

        Assert.Equal(4, stats.Traces.Length);
        Assert.Equal(6, stats.Pairs.Length);
        var sameZone = Assert.Single(stats.Pairs, p => p.SameZone);
        Assert.Equal(("us-west-2a_k80_1", "us-west-2a_v100_1", 1.0), (sameZone.First, sameZone.Second, sameZone.Correlation));
        Assert.Equal(0.0, stats.MeanSameRegionCorrelation!.Value, 9);
        Assert.Equal(-2 / 3.0, stats.MeanCrossRegionCorrelation!.Value, 9);
    }
}
