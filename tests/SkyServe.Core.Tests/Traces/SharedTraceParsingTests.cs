using SkyServe.Core.Traces;

namespace SkyServe.Core.Tests.Traces;

/// <summary>Every file of every shared trace folder parses, with the lengths, gaps and values the folders are known to hold.</summary>
public sealed class SharedTraceParsingTests
{
    [Theory]
    [InlineData("AWS1", 3, 300, 3156, 3156, 4)]
    [InlineData("AWS2", 3, 300, 3247, 3274, 16)]
    [InlineData("AWS-2022-2zone", 8, 600, 3895, 3895, 1)]
    public void Every_file_parses_with_its_gap_length_and_range(string folder, int files, int gapSeconds, int shortest, int longest, int peak)
    {
        var set = SharedTraces.Load(folder);

        Assert.Equal(files, set.Count);
        foreach (var trace in set.Traces)
        {
            Assert.Equal(gapSeconds, trace.GapSeconds);
            Assert.InRange(trace.Length, shortest, longest);
            Assert.Equal(peak, trace.PeakCapacity);
            Assert.Contains(0, trace.Samples);
            Assert.Equal("json", trace.FileName.Split('.')[^1]);
        }
        Assert.Equal(shortest, set.CommonLength);
        Assert.Equal(longest, set.Traces.Max(t => t.Length));
    }

    [Fact]
    public void AWS1_holds_three_zones_of_V100_in_sorted_order()
    {
        var set = SharedTraces.Load("AWS1");

        Assert.Equal<string>(["us-east-1f_v100_1.json", "us-east-2a_v100_1.json", "us-west-2c_v100_1.json"], set.Traces.Select(t => t.FileName));
        Assert.Equal<string>(["us-east-1f", "us-east-2a", "us-west-2c"], set.Zones);
        Assert.All(set.Traces, t => Assert.Equal(("v100", (int?)1), (t.Gpu, t.NodeCount)));
        // The name's count is the instance size, not a bound: these single-GPU traces hold up to 4 instances.
        Assert.All(set.Traces, t => Assert.False(t.IsAvailabilityTrace));
        Assert.True(set.HasEqualLengths);
        Assert.Equal(TimeSpan.FromSeconds(3156 * 300), set.Traces[0].Duration);
    }

    [Fact]
    public void AWS2_traces_differ_in_length_and_align_to_the_shortest()
    {
        var set = SharedTraces.Load("AWS2");

        Assert.Equal<int>([3247, 3274, 3274], set.Traces.Select(t => t.Length));
        Assert.False(set.HasEqualLengths);
        Assert.Equal(3247, set.CommonLength);

        var aligned = set.Aligned();
        Assert.True(aligned.HasEqualLengths);
        Assert.All(aligned.Traces, t => Assert.Equal(3247, t.Length));
        for (var i = 0; i < set.Count; i++)
        {
            Assert.Equal(set.Traces[i].Name, aligned.Traces[i].Name);
            Assert.Equal(set.Traces[i].Samples.Take(3247), aligned.Traces[i].Samples);
        }
    }

    [Fact]
    public void AWS_2022_2zone_holds_availability_traces_of_two_zones_and_four_instance_types()
    {
        var set = SharedTraces.Load("AWS-2022-2zone");

        Assert.Equal<string>(["us-west-2a", "us-west-2b"], set.Zones);
        Assert.All(set.Traces, t => Assert.True(t.IsAvailabilityTrace, t.FileName));
        Assert.Equal<string>(
            ["us-west-2a_k80_1", "us-west-2a_k80_8", "us-west-2a_v100_1", "us-west-2a_v100_8",
             "us-west-2b_k80_1", "us-west-2b_k80_8", "us-west-2b_v100_1", "us-west-2b_v100_8"],
            set.Traces.Select(t => t.Name));
        var v100Single = set.Where(t => t is { Gpu: "v100", NodeCount: 1 });
        Assert.Equal<string>(["us-west-2a", "us-west-2b"], v100Single.Zones);
        Assert.Same(set["us-west-2b_v100_8"], set["us-west-2b_v100_8.json"]);
        Assert.Contains("us-west-2a_k80_1", Assert.Throws<KeyNotFoundException>(() => set["us-west-2c_v100_1"]).Message);
    }

    [Fact]
    public void Shared_traces_replay_on_the_paper_s_30_second_ticks()
    {
        foreach (var trace in SharedTraces.All())
        {
            var ticks = trace.ToTicks(30);
            Assert.Equal(trace.Length * trace.GapSeconds / 30, ticks.Length);
            Assert.Equal(trace.Samples[^1], ticks[^1]);
            Assert.Equal(trace.CapacityAt(TimeSpan.FromSeconds(30 * 1000)), ticks[1000]);
        }
    }
}
