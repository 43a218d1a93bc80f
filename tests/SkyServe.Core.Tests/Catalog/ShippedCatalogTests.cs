using SkyServe.Core.Catalog;

namespace SkyServe.Core.Tests.Catalog;

/// <summary>The catalog that ships in config/catalog loads, and its data keeps the promises placement relies on.</summary>
public sealed class ShippedCatalogTests
{
    private static readonly CatalogSet Shipped = CatalogLoader.LoadDirectory(CatalogFolder.Path);

    [Fact]
    public void Covers_the_three_clouds()
    {
        Assert.Equal<string>(["aws", "azure", "gcp"], Shipped.Clouds.Clouds);
    }

    [Theory]
    [InlineData("aws", "us-east-1", "us-east-2", "us-west-2", "eu-west-1")]
    [InlineData("gcp", "us-central1", "us-east4", "europe-west4")]
    [InlineData("azure", "eastus", "westus2", "westus3")]
    public void Covers_at_least_three_regions_per_cloud(string cloud, params string[] regions)
    {
        Assert.True(regions.Length >= 3);
        foreach (var region in regions)
            Assert.Contains(region, Shipped.Clouds.Regions(cloud));
    }

    [Theory]
    [InlineData("aws", "T4", "L4", "A10G", "V100", "A100", "A100-80GB", "H100", "H200")]
    [InlineData("gcp", "T4", "L4", "V100", "A100", "A100-80GB", "H100", "H200")]
    [InlineData("azure", "T4", "A10", "V100", "A100", "A100-80GB", "H100")]
    public void Each_cloud_offers_its_GPU_families(string cloud, params string[] families)
    {
        foreach (var family in families)
            Assert.Contains(Shipped.Clouds.WithAccelerator(family), o => o.Cloud == cloud);
    }

    [Fact]
    public void Every_GPU_family_named_in_the_brief_is_offered_somewhere()
    {
        Assert.Equal<string>(["A10", "A100", "A100-80GB", "A10G", "H100", "H200", "L4", "T4", "V100"], Shipped.Clouds.AcceleratorNames);
    }

    [Fact]
    public void Every_price_is_positive_and_spot_is_below_on_demand()
    {
        foreach (var offering in Shipped.Clouds.Offerings.Concat(Shipped.Local.Offerings))
        {
            Assert.True(offering.OnDemandPerHour > 0, offering.ToString());
            if (offering.SpotPerHour is { } spot)
                Assert.True(spot > 0 && spot < offering.OnDemandPerHour, offering.ToString());
        }
    }

    [Fact]
    public void Most_offerings_can_be_bought_as_spot()
    {
        // Spot is the point of the system; only the H100 sizes on Azure and a few AWS zones lack it.
        var withSpot = Shipped.Clouds.Offerings.Count(o => o.HasSpot);
        Assert.True(withSpot > Shipped.Clouds.Offerings.Length * 0.8, $"{withSpot} of {Shipped.Clouds.Offerings.Length}");
    }

    [Fact]
    public void Every_offering_has_a_consistent_size()
    {
        foreach (var offering in Shipped.Clouds.Offerings)
        {
            Assert.True(offering.VCpus > 0 && offering.MemoryGiB > 0, offering.ToString());
            if (offering.IsCpuOnly)
                Assert.Equal((0, 0.0), (offering.AcceleratorCount, offering.GpuMemoryGiB));
            else
                Assert.True(offering.AcceleratorCount is 1 or 2 or 4 or 8 && offering.GpuMemoryGiB >= 16, offering.ToString());
        }
    }

    [Fact]
    public void GPU_memory_follows_the_GPU()
    {
        var expected = new Dictionary<string, double>
        {
            ["T4"] = 16, ["L4"] = 24, ["A10G"] = 24, ["A10"] = 24, ["V100"] = 16,
            ["A100"] = 40, ["A100-80GB"] = 80, ["H100"] = 80, ["H200"] = 141,
        };
        foreach (var offering in Shipped.Clouds.Offerings.Where(o => !o.IsCpuOnly))
            Assert.Equal(expected[offering.AcceleratorName!], offering.GpuMemoryGiB);
    }

    [Theory]
    [InlineData("aws", "g5.xlarge", "us-east-1", "1.006")]
    [InlineData("aws", "p5.48xlarge", "us-west-2", "98.32")]
    [InlineData("gcp", "g2-standard-4", "us-central1", "0.70683")]
    [InlineData("gcp", "a2-highgpu-1g", "us-central1", "3.67339")]
    [InlineData("azure", "Standard_NC24ads_A100_v4", "eastus", "3.673")]
    public void Prices_read_as_the_source_gives_them(string cloud, string type, string region, string onDemand)
    {
        var offerings = Shipped.Clouds.OfInstanceType(cloud, type).Where(o => o.Region == region).ToList();
        Assert.NotEmpty(offerings);
        Assert.All(offerings, o => Assert.Equal(decimal.Parse(onDemand, System.Globalization.CultureInfo.InvariantCulture), o.OnDemandPerHour));
    }

    [Fact]
    public void GCP_N1_types_carry_attached_GPUs()
    {
        var n1 = Shipped.Clouds.InCloud("gcp").Where(o => o.InstanceType.StartsWith("n1-", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(n1);
        Assert.All(n1, o => Assert.True(o.AttachedAccelerator && o.AcceleratorName is "T4" or "V100", o.ToString()));
        Assert.DoesNotContain(Shipped.Clouds.Offerings, o => o.AttachedAccelerator && !o.InstanceType.StartsWith("n1-", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_local_type_stands_for_a_real_entry_and_takes_its_prices()
    {
        Assert.NotEmpty(Shipped.Local.Offerings);
        foreach (var local in Shipped.Local.Offerings)
        {
            var parts = local.StandsFor!.Split('/');
            var real = Shipped.Clouds.OfInstanceType(parts[0], parts[1]).Where(o => o.Region == local.Region).ToList();
            Assert.True(real.Count > 0, $"{local} stands for {local.StandsFor}, which has no offering in {local.Region}");
            Assert.All(real, r => Assert.Equal(
                (r.AcceleratorName, r.AcceleratorCount, r.VCpus, r.MemoryGiB, r.OnDemandPerHour),
                (local.AcceleratorName, local.AcceleratorCount, local.VCpus, local.MemoryGiB, local.OnDemandPerHour)));
            Assert.Equal(real.Select(r => r.SpotPerHour).Max(), local.SpotPerHour);
        }
    }

    [Theory]
    [InlineData("aws", "us-east-1", "us-east-1a", "us-east-1b")]
    [InlineData("aws", "us-west-2", "us-west-2a", "us-west-2b")]
    [InlineData("gcp", "us-central1", "us-central1-a", "us-central1-b")]
    [InlineData("azure", "eastus", "eastus-1", "eastus-2")]
    public void The_local_runtime_simulates_zones_named_like_real_ones(string cloud, string region, params string[] zones)
    {
        Assert.Equal(zones, Shipped.Local.Zones(cloud, region));
        // Every simulated zone can run the CPU engine and at least one GPU type.
        foreach (var zone in zones)
        {
            var here = Shipped.Local.InZone(cloud, region, zone);
            Assert.Contains(here, o => o.IsCpuOnly);
            Assert.Contains(here, o => !o.IsCpuOnly);
        }
    }

    [Fact]
    public void Finds_L4_8_in_us_central1_cheapest_first()
    {
        var result = Shipped.Clouds.Find([new AcceleratorRequest("L4", 8)], useSpot: true, [new LocationFilter("gcp", "us-central1")]);
        Assert.True(result.Found, result.Error);
        Assert.All(result.Offerings, o => Assert.Equal(("g2-standard-96", "us-central1"), (o.InstanceType, o.Region)));
    }

    [Fact]
    public void Explains_a_GPU_count_the_region_does_not_have()
    {
        var result = Shipped.Clouds.Find([new AcceleratorRequest("a100-80gb", 2)], useSpot: false, [new LocationFilter("gcp", "us-central1")]);
        Assert.False(result.Found);
        Assert.StartsWith("no catalog offering has A100-80GB:2 in gcp/us-central1; A100-80GB is offered there with 1 or 8 GPUs", result.Error);
    }
}
