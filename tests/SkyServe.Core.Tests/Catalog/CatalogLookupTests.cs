using SkyServe.Core.Catalog;

namespace SkyServe.Core.Tests.Catalog;

public sealed class CatalogLookupTests
{
    private static readonly CatalogSet Catalogs = SmallCatalog.Load();
    private static readonly CloudCatalog Clouds = Catalogs.Clouds;

    private static string[] Names(IEnumerable<InstanceOffering> offerings) =>
        [.. offerings.Select(o => $"{o.InstanceType}@{o.Zone}")];

    [Fact]
    public void Lists_clouds_regions_and_zones()
    {
        Assert.Equal<string>(["aws", "gcp"], Clouds.Clouds);
        Assert.Equal<string>(["us-east-1", "us-west-2"], Clouds.Regions("aws"));
        Assert.Equal<string>(["use1-az1", "use1-az2"], Clouds.Zones("AWS", "US-EAST-1"));
        Assert.Empty(Clouds.Regions("azure"));
    }

    [Fact]
    public void Offerings_in_a_region_come_cheapest_first_on_demand()
    {
        Assert.Equal(
            ["m7i-flex.2xlarge@use1-az1", "g6.xlarge@use1-az1", "g6.xlarge@use1-az2", "g5.xlarge@use1-az1", "g5.xlarge@use1-az2", "g6.12xlarge@use1-az1"],
            Names(Clouds.InRegion("aws", "us-east-1")));
    }

    [Fact]
    public void Spot_lookups_order_by_spot_price_and_skip_zones_without_spot()
    {
        // g6.xlarge is sold as spot in use1-az2 only.
        Assert.Equal(["m7i-flex.2xlarge@use1-az1", "g5.xlarge@use1-az1", "g6.12xlarge@use1-az1"],
            Names(Clouds.InZone("aws", "us-east-1", "use1-az1", useSpot: true)));
        Assert.Equal(["g5.xlarge@use1-az2", "g6.xlarge@use1-az2"], Names(Clouds.InZone("aws", "us-east-1", "use1-az2", useSpot: true)));
    }

    [Fact]
    public void Spot_zones_limit_where_the_spot_price_applies()
    {
        var g6 = Clouds.OfInstanceType("aws", "g6.xlarge").ToDictionary(o => o.Zone, o => o.SpotPerHour);
        Assert.Equal(new Dictionary<string, decimal?> { ["use1-az1"] = null, ["use1-az2"] = 0.40m, ["usw2-az1"] = 0.30m }, g6);
    }

    [Fact]
    public void Finds_offerings_by_accelerator_case_insensitively_cheapest_first()
    {
        Assert.Equal(
            ["g2-standard-4@us-central1-a", "g2-standard-4@us-central1-b", "g6.xlarge@use1-az1", "g6.xlarge@use1-az2", "g6.xlarge@usw2-az1", "g6.12xlarge@use1-az1"],
            Names(Clouds.WithAccelerator("l4")));
        Assert.Equal(
            ["g2-standard-4@us-central1-a", "g2-standard-4@us-central1-b", "g6.xlarge@usw2-az1", "g6.xlarge@use1-az2", "g6.12xlarge@use1-az1"],
            Names(Clouds.WithAccelerator("L4", useSpot: true)));
        Assert.Empty(Clouds.WithAccelerator("L40S"));
    }

    [Fact]
    public void Reads_sizes_and_the_attached_flag()
    {
        var n1 = Assert.Single(Clouds.OfInstanceType("gcp", "N1-STANDARD-4"));
        Assert.Equal(("T4", 1, 16.0, 4.0, 15.0, 0.54m, (decimal?)null, true),
            (n1.AcceleratorName, n1.AcceleratorCount, n1.GpuMemoryGiB, n1.VCpus, n1.MemoryGiB, n1.OnDemandPerHour, n1.SpotPerHour, n1.AttachedAccelerator));
        Assert.Equal("T4:1", n1.Accelerators);
        Assert.Equal("gcp/us-central1/us-central1-a", n1.Location);
        var a2 = Assert.Single(Clouds.OfInstanceType("gcp", "a2-highgpu-8g"));
        Assert.Equal(320, a2.TotalGpuMemoryGiB);
        Assert.False(a2.AttachedAccelerator);
        Assert.Equal("cpu", Assert.Single(Clouds.OfInstanceType("aws", "m7i-flex.2xlarge")).Accelerators);
    }

    [Fact]
    public void Simulated_types_take_the_prices_of_what_they_stand_for_in_every_simulated_zone()
    {
        Assert.Equal(["local-l4@us-east-1a", "local-l4@us-east-1b"], Names(Catalogs.Local.Offerings));
        Assert.All(Catalogs.Local.Offerings, o =>
        {
            Assert.Equal(("aws", "us-east-1", "aws/g6.xlarge", "L4", 1), (o.Cloud, o.Region, o.StandsFor, o.AcceleratorName, o.AcceleratorCount));
            // The simulator decides spot capacity, so the region's spot price applies in every simulated zone.
            Assert.Equal((0.80m, (decimal?)0.40m), (o.OnDemandPerHour, o.SpotPerHour));
        });
        // Simulated clouds never leak into the real ones.
        Assert.DoesNotContain(Clouds.Offerings, o => o.StandsFor is not null);
    }

    [Fact]
    public void Offerings_are_ordered_by_location_whatever_the_file_order()
    {
        var reversed = CatalogLoader.Parse([new CatalogFile("gcp.yaml", SmallCatalog.Gcp), new CatalogFile("aws.yaml", SmallCatalog.Aws)]);
        Assert.Equal<InstanceOffering>(Clouds.Offerings, reversed.Clouds.Offerings);
        Assert.Empty(reversed.Local.Offerings);
    }
}
