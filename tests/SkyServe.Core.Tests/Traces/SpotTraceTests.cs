using SkyServe.Core.Traces;

namespace SkyServe.Core.Tests.Traces;

/// <summary>Reading a trace in time: the sample in force at a moment, the paper's tick expansion, slices and equality.</summary>
public sealed class SpotTraceTests
{
    // Four samples, 300 s apart: 0-300 s: 4, 300-600 s: 2, 600-900 s: 0, 900-1200 s: 3.
    private static readonly SpotTrace Small = new(SpotTraceName.For("us-west-2c", "v100", 4), 300, [4, 2, 0, 3]);

    [Theory]
    [InlineData(0, 4)]
    [InlineData(299.999, 4)]
    [InlineData(300, 2)]
    [InlineData(599, 2)]
    [InlineData(600, 0)]
    [InlineData(900, 3)]
    [InlineData(1199, 3)]
    [InlineData(1200, 3)] // past the end: the last sample stays in force
    [InlineData(1_000_000, 3)]
    public void Capacity_at_a_moment_is_the_sample_in_force_then(double seconds, int expected)
    {
        Assert.Equal(expected, Small.CapacityAt(TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void Capacity_before_the_start_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Small.CapacityAt(TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public void Length_gap_and_duration()
    {
        Assert.Equal((4, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(20), 4), (Small.Length, Small.Gap, Small.Duration, Small.PeakCapacity));
        Assert.Equal(("us-west-2c_v100_4.json", "us-west-2c", "v100", (int?)4), (Small.FileName, Small.Zone, Small.Gpu, Small.NodeCount));
    }

    [Fact]
    public void Ticks_repeat_each_sample_gap_over_tick_times()
    {
        Assert.Equal<int>([4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3], Small.ToTicks(30));
        Assert.Equal<int>([4, 2, 0, 3], Small.ToTicks(300));
        Assert.Equal<int>([4, 4, 2, 2, 0, 0, 3, 3], Small.ToTicks(150));
    }

    [Theory]
    [InlineData(7)]
    [InlineData(600)]
    public void Ticks_that_do_not_divide_the_gap_are_refused(int tickSeconds)
    {
        var error = Assert.Throws<ArgumentException>(() => Small.ToTicks(tickSeconds));

        Assert.Contains($"us-west-2c_v100_4.json: its gap_seconds 300 is not a multiple of the {tickSeconds} s tick", error.Message);
    }

    [Fact]
    public void A_slice_keeps_name_and_gap()
    {
        var slice = Small.Slice(1, 2);

        Assert.Equal<int>([2, 0], slice.Samples);
        Assert.Equal((Small.TraceName, 300), (slice.TraceName, slice.GapSeconds));
        Assert.Same(Small, Small.Slice(0, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => Small.Slice(3, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Small.Slice(0, 0));
    }

    [Fact]
    public void Traces_with_the_same_name_gap_and_samples_are_equal()
    {
        var same = new SpotTrace(SpotTraceName.For("us-west-2c", "v100", 4), 300, [4, 2, 0, 3]);
        var other = new SpotTrace(SpotTraceName.For("us-west-2c", "v100", 4), 300, [4, 2, 0, 2]);

        Assert.Equal(Small, same);
        Assert.Equal(Small.GetHashCode(), same.GetHashCode());
        Assert.NotEqual(Small, other);
    }

    [Fact]
    public void A_trace_needs_samples_a_positive_gap_and_no_negative_values()
    {
        var name = SpotTraceName.For("z", "g", 1);

        Assert.Contains("no samples", Assert.Throws<SpotTraceException>(() => new SpotTrace(name, 300, [])).Message);
        Assert.Contains("gap_seconds must be positive", Assert.Throws<SpotTraceException>(() => new SpotTrace(name, 0, [1])).Message);
        Assert.Contains("data[1] is -2", Assert.Throws<SpotTraceException>(() => new SpotTrace(name, 300, [1, -2])).Message);
    }
}
