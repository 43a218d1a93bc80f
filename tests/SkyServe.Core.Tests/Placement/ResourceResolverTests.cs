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

    private static ResourcesSpec Parse(string resources) =>
        ServiceSpecParser.Parse("service:\n  readiness_probe: /\n  ports: 8080\nresources:\n  " + resources.Replace("\n", "\n  ") + "\n").Resources;
}
