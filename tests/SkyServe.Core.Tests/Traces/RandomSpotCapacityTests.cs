using SkyServe.Core.Traces;

namespace SkyServe.Core.Tests.Traces;

/// <summary>The random capacity process: deterministic per seed, different across seeds, within each zone's bounds.</summary>
public sealed class RandomSpotCapacityTests
{
    private static readonly RandomCapacityZone[] Zones =
    [
        new("us-west-2a", 4), new("us-west-2b", 4), new("us-west-2c", 16), new("us-east-1a", 1), new("us-east-1b", 8),
    ];

    [Fact]
    public void The_same_seed_gives_the_same_traces()
    {
        var first = RandomSpotCapacity.Generate(Zones, 300, 2000, seed: 42);
        var second = RandomSpotCapacity.Generate(Zones, 300, 2000, seed: 42);

        Assert.Equal(first, second);
    }

    [Fact]
    public void Different_seeds_give_different_traces()
    {
        var traces = Enumerable.Range(0, 5).Select(seed => RandomSpotCapacity.Generate(Zones, 300, 2000, seed)).ToList();

        for (var i = 0; i < traces.Count; i++)
            for (var j = i + 1; j < traces.Count; j++)
                for (var z = 0; z < Zones.Length; z++)
                    Assert.False(traces[i].Traces[z].Samples.SequenceEqual(traces[j].Traces[z].Samples), $"seeds {i} and {j}, zone {z}");
    }

    [Fact]
    public void Traces_are_named_for_their_zones_and_stay_within_capacity()
    {
        var set = RandomSpotCapacity.Generate(Zones, 600, 1500, seed: 7);

        Assert.Equal<string>(["us-east-1a_random_1.json", "us-east-1b_random_8.json", "us-west-2a_random_4.json", "us-west-2b_random_4.json", "us-west-2c_random_16.json"],
            set.Traces.Select(t => t.FileName));
        foreach (var trace in set.Traces)
        {
            var zone = Zones.Single(z => z.Zone == trace.Zone);
            Assert.Equal((600, 1500, (int?)zone.MaxCapacity), (trace.GapSeconds, trace.Length, trace.NodeCount));
            Assert.All(trace.Samples, v => Assert.InRange(v, 0, zone.MaxCapacity));
            Assert.Equal(zone.MaxCapacity, trace.PeakCapacity);
        }
        Assert.True(set["us-east-1a_random_1"].IsAvailabilityTrace);
    }

    [Fact]
    public void Zone_names_and_one_capacity_are_enough()
    {
        var set = RandomSpotCapacity.Generate(["local-a", "local-b"], 4, 60, 100, seed: 1);

        Assert.Equal<string>(["local-a", "local-b"], set.Zones);
        Assert.All(set.Traces, t => Assert.Equal(60, t.GapSeconds));
    }

    [Fact]
    public void The_process_does_not_depend_on_the_sample_count()
    {
        // Later samples are drawn after earlier ones, so a longer run extends a shorter one.
        var shorter = RandomSpotCapacity.Generate(Zones, 300, 500, seed: 3);
        var longer = RandomSpotCapacity.Generate(Zones, 300, 1000, seed: 3);

        Assert.Equal(shorter, new SpotTraceSet(longer.Traces.Select(t => t.Slice(0, 500))));
    }

    [Fact]
    public void Without_variation_between_zones_or_regions_the_process_still_runs()
    {
        var calm = new RandomSpotCapacityParameters { ZoneHeterogeneity = 0, PressureShiftHitProbability = 0, BurnInHours = 0, DipsPerHour = 0 };

        var set = RandomSpotCapacity.Generate(Zones, 300, 1000, seed: 5, calm);

        Assert.All(set.Traces, t => Assert.Equal(1000, t.Length));
    }

    [Fact]
    public void Zones_of_one_region_move_together_and_the_region_can_be_given()
    {
        // Pressure that dominates: every zone follows every change of its region's pressure.
        var strong = new RandomSpotCapacityParameters { PressureShiftHitProbability = 1, StressedExitMultiplier = 50, StressedDryMultiplier = 50 };
        RandomCapacityZone[] together = [new("alpha", 4, Region: "r"), new("beta", 4, Region: "r")];
        RandomCapacityZone[] apart = [new("alpha", 4), new("beta", 4)];

        var same = TraceSetStatistics.Of(RandomSpotCapacity.Generate(together, 300, 3000, seed: 11, strong));
        var separate = TraceSetStatistics.Of(RandomSpotCapacity.Generate(apart, 300, 3000, seed: 11, strong));

        Assert.True(Assert.Single(same.Pairs).Correlation > 0.3, same.Pairs[0].ToString());
        Assert.InRange(Assert.Single(separate.Pairs).Correlation!.Value, -0.2, 0.2);
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        Assert.Throws<ArgumentException>(() => RandomSpotCapacity.Generate(Array.Empty<RandomCapacityZone>(), 300, 10, 0));
        Assert.Contains("at least 1", Assert.Throws<ArgumentException>(() => RandomSpotCapacity.Generate([new RandomCapacityZone("a", 0)], 300, 10, 0)).Message);
        Assert.Contains("listed twice", Assert.Throws<ArgumentException>(() => RandomSpotCapacity.Generate([new RandomCapacityZone("a", 1), new RandomCapacityZone("a", 2)], 300, 10, 0)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => RandomSpotCapacity.Generate(Zones, 0, 10, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => RandomSpotCapacity.Generate(Zones, 300, 0, 0));
        Assert.Contains("MeanDryHours", Assert.Throws<ArgumentException>(() => RandomSpotCapacity.Generate(Zones, 300, 10, 0, new RandomSpotCapacityParameters { MeanDryHours = 0 })).Message);
        Assert.Contains("PlentifulToDryShare", Assert.Throws<ArgumentException>(() => RandomSpotCapacity.Generate(Zones, 300, 10, 0, new RandomSpotCapacityParameters { PlentifulToDryShare = 1.5 })).Message);
    }
}
