using SkyServe.Providers.Local;
using SkyServe.Testing;

namespace SkyServe.Providers.Tests;

public sealed class LocalZonesTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void The_shipped_zone_file_builds_a_market_of_three_simulated_clouds()
    {
        var path = Path.Combine(RepoPaths.Config, "local-zones.yaml");
        var file = LocalZonesLoader.Read(path);
        var market = LocalZonesLoader.BuildMarket(file, RepoPaths.Config, LocalRuntime.Catalog);
        Assert.Equal(["aws", "azure", "gcp"], market.Zones.Select(z => z.Cloud).Distinct().Order());
        Assert.Equal(8, market.Zones.Count);
        foreach (var zone in market.Zones)
        {
            var offered = market.Offerings.Where(o => o.Zone == zone.Zone && o.Region == zone.Region).ToList();
            Assert.Contains(offered, o => o.InstanceType == "local-cpu");
            Assert.All(offered, o => Assert.True(o.SpotPerHour is null || o.SpotPerHour < o.OnDemandPerHour));
        }
        // The random process is seeded: the same file gives the same capacities.
        var again = LocalZonesLoader.BuildMarket(file, RepoPaths.Config, LocalRuntime.Catalog);
        for (var h = 0; h < 24 * 30; h += 7)
            Assert.Equal(market.Zones[3].SpotCapacity.CapacityAt(TimeSpan.FromHours(h)), again.Zones[3].SpotCapacity.CapacityAt(TimeSpan.FromHours(h)));
    }

    [Fact]
    public void A_zone_can_replay_a_trace_file_from_an_offset()
    {
        File.WriteAllText(Path.Combine(dir.Path, "z_v100_4.json"), """{"metadata": {"gap_seconds": 300}, "data": [4, 3, 0, 2]}""");
        File.WriteAllText(Path.Combine(dir.Path, "zones.yaml"), """
            time_compression: 60
            zones:
              - infra: aws/us-west-2/us-west-2c
                trace: z_v100_4.json
                trace_offset_hours: 0.0833333333334
            """);
        var file = LocalZonesLoader.Read(Path.Combine(dir.Path, "zones.yaml"));
        Assert.Equal(60, file.TimeCompression);
        var capacity = LocalZonesLoader.BuildMarket(file, dir.Path, LocalRuntime.Catalog).Zones.Single().SpotCapacity;
        Assert.Equal([3, 0, 2, 4], Enumerable.Range(0, 4).Select(i => capacity.CapacityAt(TimeSpan.FromMinutes(5 * i))));
    }

    [Theory]
    [InlineData("zones: []\n", "no zones")]
    [InlineData("zones:\n  - infra: aws/us-east-1\n", "cloud/region/zone")]
    [InlineData("zones:\n  - infra: oracle/x/y\n", "no simulated cloud 'oracle'")]
    [InlineData("zones:\n  - infra: aws/us-east-1/a\n    colour: red\n", "line 3")]
    [InlineData("zones:\n  - infra: aws/us-east-1/a\n    trace: missing.json\n", "missing.json")]
    public void Bad_zone_files_are_clear_errors(string yaml, string expected)
    {
        var path = Path.Combine(dir.Path, "bad.yaml");
        File.WriteAllText(path, yaml);
        var error = Record.Exception(() => LocalZonesLoader.BuildMarket(LocalZonesLoader.Read(path), dir.Path, LocalRuntime.Catalog));
        Assert.NotNull(error);
        Assert.Contains(expected, error.Message);
    }
}
