using SkyServe.Core.Spec;

namespace SkyServe.Core.Tests.Spec;

public sealed class LocationsTests
{
    private static ResourcesSpec Resources(string resourceLines) =>
        SpecAssert.Valid("service:\n  ports: 8080\nresources:\n" + resourceLines).Resources;

    [Theory]
    [InlineData("aws", "aws", null, null)]
    [InlineData("aws/us-east-1", "aws", "us-east-1", null)]
    [InlineData("aws/us-east-1/us-east-1a", "aws", "us-east-1", "us-east-1a")]
    [InlineData("gcp/us-central1", "gcp", "us-central1", null)]
    [InlineData("azure/eastus", "azure", "eastus", null)]
    [InlineData("AWS/us-west-2", "aws", "us-west-2", null)]
    [InlineData("local", "local", null, null)]
    public void Infra_strings(string infra, string cloud, string? region, string? zone)
    {
        var resources = Resources($"  infra: {infra}\n");
        Assert.Equal([new CloudLocation(cloud, region, zone)], resources.Locations);
    }

    [Fact]
    public void Cloud_region_zone_keys()
    {
        var resources = Resources("  cloud: gcp\n  region: us-central1\n  zone: us-central1-a\n");
        Assert.Equal([new CloudLocation("gcp", "us-central1", "us-central1-a")], resources.Locations);
        Assert.Equal("gcp/us-central1/us-central1-a", resources.Locations[0].ToInfra());
    }

    [Fact]
    public void Any_of_lists_candidate_locations()
    {
        var resources = Resources("""
              use_spot: true
              any_of:
                - infra: aws/us-east-1
                - infra: gcp/us-central1
                - {cloud: azure, region: eastus}

            """);
        Assert.Equal(["aws/us-east-1", "gcp/us-central1", "azure/eastus"], resources.Locations.Select(location => location.ToInfra()));
        Assert.False(resources.LocationsOrdered);
        Assert.True(resources.UseSpot);
    }

    [Fact]
    public void Ordered_lists_locations_by_preference()
    {
        var resources = Resources("  ordered:\n    - infra: gcp/us-central1\n    - infra: aws/us-east-1\n");
        Assert.True(resources.LocationsOrdered);
        Assert.Equal("gcp", resources.Locations[0].Cloud);
    }

    [Fact]
    public void Any_of_items_override_the_top_level_location()
    {
        var resources = Resources("  cloud: aws\n  any_of:\n    - region: us-east-1\n    - region: us-west-2\n    - {region: us-east-2, zone: us-east-2b}\n");
        Assert.Equal(["aws/us-east-1", "aws/us-west-2", "aws/us-east-2/us-east-2b"], resources.Locations.Select(location => location.ToInfra()));
    }

    [Fact]
    public void A_different_cloud_in_an_item_drops_the_top_level_region()
    {
        var resources = Resources("  infra: aws/us-east-1\n  any_of:\n    - zone: us-east-1a\n    - cloud: gcp\n");
        Assert.Equal(["aws/us-east-1/us-east-1a", "gcp"], resources.Locations.Select(location => location.ToInfra()));
    }

    [Fact]
    public void Empty_any_of_keeps_the_top_level_location()
    {
        Assert.Equal([new CloudLocation("aws", "us-east-1")], Resources("  infra: aws/us-east-1\n  any_of: []\n").Locations);
    }

    [Theory]
    [InlineData("  infra: k8s\n", "resources.infra", 4, 10, "unsupported cloud 'k8s' (supported: aws, gcp, azure, local, docker)")]
    [InlineData("  infra: kubernetes/my-context/ns\n", "resources.infra", 4, 10, "unsupported cloud 'kubernetes'")]
    [InlineData("  cloud: lambda\n", "resources.cloud", 4, 10, "unsupported cloud 'lambda'")]
    [InlineData("  infra: aws/us-east-1/a/b\n", "resources.infra", 4, 10, "infra must be cloud, cloud/region or cloud/region/zone")]
    [InlineData("  infra: '*/us-east-1'\n", "resources.infra", 4, 10, "unsupported cloud '*'")]
    [InlineData("  infra: aws\n  region: us-east-1\n", "resources.infra", 4, 10, "infra cannot be combined with cloud, region or zone")]
    [InlineData("  region: us-east-1\n", "resources", 4, 3, "a region or zone needs a cloud")]
    [InlineData("  cloud: aws\n  zone: us-east-1a\n", "resources", 4, 3, "zone 'us-east-1a' needs its region")]
    [InlineData("  any_of:\n    - infra: aws\n    - infra: oci\n", "resources.any_of[1].infra", 6, 14, "unsupported cloud 'oci'")]
    [InlineData("  any_of:\n    - infra: aws\n    - infra: aws\n", "resources.any_of[1]", 6, 7, "location aws is listed twice")]
    [InlineData("  any_of:\n    - infra: aws\n    - accelerators: A100\n", "resources.any_of[1].accelerators", 6, 7, "unknown key 'accelerators' (allowed: infra, cloud, region, zone, use_spot)")]
    [InlineData("  any_of:\n    - aws\n", "resources.any_of[0]", 5, 7, "expected a mapping such as {infra: aws/us-east-1}, got 'aws'")]
    [InlineData("  any_of:\n    - use_spot: true\n", "resources.any_of[0]", 5, 7, "this entry names no location")]
    [InlineData("  any_of: aws\n", "resources.any_of", 4, 11, "expected a list of locations, got 'aws'")]
    [InlineData("  any_of: [{infra: aws}]\n  ordered: [{infra: gcp}]\n", "resources.ordered", 5, 3, "any_of and ordered cannot both be set")]
    public void Bad_locations_are_errors(string resourceLines, string path, int line, int column, string message)
    {
        SpecAssert.HasError("service:\n  ports: 8080\nresources:\n" + resourceLines, path, line, column, message);
    }
}
