using SkyServe.Core.Catalog;
using SkyServe.Core.Placement;
using SkyServe.Core.Spec;
using SkyServe.Testing;

namespace SkyServe.Core.Tests.Placement;

public sealed class ResourceResolverTests
{
    private static readonly CatalogSet Catalog = CatalogLoader.LoadDirectory(Path.Combine(RepoPaths.Config, "catalog"));

    public static TheoryData<string> Examples() => new(Directory.GetFiles(RepoPaths.Examples, "*.yaml").Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_example_resolves_against_the_catalog(string file)
    {
        var spec = ServiceSpecParser.Parse(File.ReadAllText(Path.Combine(RepoPaths.Examples, file)));
        var local = spec.Resources.Locations.Any(l => l.Cloud == SupportedClouds.Local);
        var result = ResourceResolver.Resolve(spec.Resources, local ? Catalog.Local : Catalog.Clouds);
        Assert.True(result.Found, result.Error);
        Assert.All(result.Offerings, o => Assert.True(!spec.Resources.UseSpot || o.SpotPerHour is not null));
        // The local runtime's simulated clouds can run every example too.
        Assert.True(ResourceResolver.Resolve(spec.Resources, Catalog.Local).Found, file);
    }

    [Fact]
    public void Locations_accelerators_and_market_narrow_the_offerings_cheapest_first()
    {
        var spec = Parse("""
            accelerators: {L4: 1, A10G: 1}
            use_spot: true
            any_of:
              - infra: aws/us-east-1
              - infra: gcp/us-central1
            """);
        var result = ResourceResolver.Resolve(spec, Catalog.Clouds);
        Assert.True(result.Found, result.Error);
        Assert.All(result.Offerings, o =>
        {
            Assert.Contains(o.Cloud, new[] { "aws", "gcp" });
            Assert.Contains(o.AcceleratorName, new[] { "L4", "A10G" });
            Assert.Equal(1, o.AcceleratorCount);
        });
        Assert.Equal(result.Offerings.OrderBy(o => o.SpotPerHour).Select(o => o.SpotPerHour), result.Offerings.Select(o => o.SpotPerHour));
    }

    [Fact]
    public void Cpus_and_memory_follow_skypilots_exact_and_at_least_forms()
    {
        var atLeast = ResourceResolver.Resolve(Parse("cpus: 8+\nmemory: 32+\ninfra: aws/us-east-1"), Catalog.Clouds);
        Assert.True(atLeast.Found, atLeast.Error);
        Assert.All(atLeast.Offerings, o => Assert.True(o.VCpus >= 8 && o.MemoryGiB >= 32));
        var exact = ResourceResolver.Resolve(Parse("cpus: 8\ninfra: aws/us-east-1"), Catalog.Clouds);
        Assert.All(exact.Offerings, o => Assert.Equal(8, o.VCpus));
    }

    [Fact]
    public void Nothing_matching_is_explained()
    {
        var result = ResourceResolver.Resolve(Parse("accelerators: H100:3\ninfra: aws/us-east-1"), Catalog.Clouds);
        Assert.False(result.Found);
        Assert.Contains("H100", result.Error);
        var cpus = ResourceResolver.Resolve(Parse("cpus: 1000+\ninfra: aws/us-east-1"), Catalog.Clouds);
        Assert.False(cpus.Found);
        Assert.Contains("cpus 1000+", cpus.Error);
    }

    [Fact]
    public void Entries_with_their_own_accelerators_resolve_each_on_its_own()
    {
        var result = ResourceResolver.Resolve(Parse("""
            any_of:
              - {infra: aws/us-east-1, accelerators: A10G:1}
              - {infra: gcp/us-central1, accelerators: L4:1}
            """), Catalog.Clouds);
        Assert.True(result.Found, result.Error);
        Assert.All(result.Offerings, o => Assert.Equal(o.Cloud == "aws" ? "A10G" : "L4", o.AcceleratorName));
        Assert.Contains(result.Offerings, o => o.Cloud == "aws");
        Assert.Contains(result.Offerings, o => o.Cloud == "gcp");
        Assert.Equal(result.Offerings.OrderBy(o => o.OnDemandPerHour).Select(o => o.OnDemandPerHour), result.Offerings.Select(o => o.OnDemandPerHour));
    }

    [Fact]
    public void A_set_of_accelerators_with_any_of_offers_every_pair()
    {
        var result = ResourceResolver.Resolve(Parse("accelerators: {L4:1, A10G:1}\nany_of:\n  - zone: use1-az1\n  - zone: us-central1-a"), Catalog.Clouds);
        Assert.True(result.Found, result.Error);
        Assert.All(result.Offerings, o => Assert.Contains(o.Zone, new[] { "use1-az1", "us-central1-a" }));
        Assert.Contains(result.Offerings, o => o.AcceleratorName == "A10G");
        Assert.Contains(result.Offerings, o => o.AcceleratorName == "L4");
    }

    [Fact]
    public void A_replica_launches_with_the_disk_and_image_of_the_first_entry_that_admits_its_offering()
    {
        var spec = Parse("""
            disk_size: 100
            labels: {team: inference}
            any_of:
              - {infra: aws/us-east-1, accelerators: A10G:1, disk_size: 500, disk_tier: high, image_id: ami-0123456789abcdef0}
              - {infra: gcp/us-central1, accelerators: L4:1, disk_tier: low}
            """);
        var offerings = ResourceResolver.Resolve(spec, Catalog.Clouds).Offerings;
        var aws = ResourceResolver.MachineFor(spec, offerings.First(o => o.Cloud == "aws"));
        Assert.Equal((500, "high", "ami-0123456789abcdef0"), (aws.DiskSizeGb, aws.DiskTier, aws.ImageId));
        var gcp = ResourceResolver.MachineFor(spec, offerings.First(o => o.Cloud == "gcp"));
        Assert.Equal((100, "low", (string?)null), (gcp.DiskSizeGb, gcp.DiskTier, gcp.ImageId)); // the top level's size, laid under the entry
        // Labels are the top level's, whichever entry; an offering no entry admits gets the top level's keys.
        Assert.All(new[] { aws, gcp }, m => Assert.Equal("inference", m.Labels["team"]));
        var elsewhere = ResourceResolver.MachineFor(spec, Catalog.Clouds.Offerings.First(o => o.Cloud == "azure"));
        Assert.Equal((100, (string?)null, (string?)null), (elsewhere.DiskSizeGb, elsewhere.DiskTier, elsewhere.ImageId));
    }

    [Fact]
    public void Entries_at_one_location_are_told_apart_by_their_machine()
    {
        var spec = Parse("""
            infra: aws/us-east-1
            any_of:
              - {accelerators: L4:1, instance_type: g6.xlarge, disk_size: 300}
              - {accelerators: A10G:1, instance_type: g5.xlarge, disk_size: 600}
            """);
        var offerings = ResourceResolver.Resolve(spec, Catalog.Clouds).Offerings;
        Assert.Equal(300, ResourceResolver.MachineFor(spec, offerings.First(o => o.InstanceType == "g6.xlarge")).DiskSizeGb);
        Assert.Equal(600, ResourceResolver.MachineFor(spec, offerings.First(o => o.InstanceType == "g5.xlarge")).DiskSizeGb);
    }

    [Fact]
    public void Without_entries_or_keys_a_launch_gets_skypilots_defaults()
    {
        var machine = ResourceResolver.MachineFor(Parse("infra: aws"), null);
        Assert.True(machine.IsDefault);
        Assert.Equal(256, machine.DiskSizeGb);
    }

    /// <summary>The spec parser tells a zone's region and cloud from its name: that must hold for every zone the catalog has.</summary>
    [Fact]
    public void Every_catalog_zone_names_its_region_and_cloud()
    {
        foreach (var offering in Catalog.Clouds.Offerings.Concat(Catalog.Local.Offerings))
        {
            Assert.Equal(offering.Region, CloudNaming.RegionOfZone(offering.Cloud, offering.Zone));
            Assert.Equal(offering.Cloud, CloudNaming.CloudOfZone(offering.Zone));
            Assert.Equal(offering.Cloud, CloudNaming.CloudOfRegion(offering.Region));
        }
    }

    private static ResourcesSpec Parse(string resources) =>
        ServiceSpecParser.Parse("service:\n  readiness_probe: /\n  ports: 8080\nresources:\n  " + resources.Replace("\n", "\n  ") + "\n").Resources;
}
