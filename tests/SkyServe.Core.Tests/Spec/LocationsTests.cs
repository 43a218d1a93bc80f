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
    [InlineData("  infra: gcp/*/us-central1-a\n", "gcp/us-central1/us-central1-a")]
    [InlineData("  infra: '*/us-east-1'\n", "aws/us-east-1")]
    [InlineData("  infra: '*/*/us-central1-b'\n", "gcp/us-central1/us-central1-b")]
    [InlineData("  infra: aws/*\n", "aws")]
    [InlineData("  infra: /aws/us-west-2/\n", "aws/us-west-2")]
    [InlineData("  region: us-east-1\n", "aws/us-east-1")]
    [InlineData("  region: eastus\n", "azure/eastus")]
    [InlineData("  zone: us-central1-a\n", "gcp/us-central1/us-central1-a")]
    [InlineData("  cloud: aws\n  zone: us-east-1a\n", "aws/us-east-1/us-east-1a")]
    [InlineData("  cloud: azure\n  zone: westus2-2\n", "azure/westus2/westus2-2")]
    [InlineData("  zone: use1-az2\n", "aws/us-east-1/use1-az2")]
    [InlineData("  zone: apne1-az1\n", "aws/ap-northeast-1/apne1-az1")]
    public void Wildcards_and_zone_only_locations_resolve_to_one_place(string resourceLines, string infra)
    {
        Assert.Equal([infra], Resources(resourceLines).Locations.Select(location => location.ToInfra()));
    }

    [Fact]
    public void A_lone_wildcard_means_anywhere()
    {
        Assert.Empty(Resources("  infra: '*'\n").Locations);
    }

    [Fact]
    public void Zone_only_any_of_entries_take_their_region_from_the_zone()
    {
        var resources = Resources("  any_of:\n    - zone: us-central1-a\n    - {cloud: aws, zone: us-west-2b}\n    - infra: gcp/*/us-central1-b\n");
        Assert.Equal(["gcp/us-central1/us-central1-a", "aws/us-west-2/us-west-2b", "gcp/us-central1/us-central1-b"],
            resources.Locations.Select(location => location.ToInfra()));
    }

    [Theory]
    [InlineData("  infra: k8s\n", "resources.infra", 4, 10, "no Kubernetes provider: this project launches replicas on aws, gcp, azure, local, docker")]
    [InlineData("  infra: kubernetes/my-context/ns\n", "resources.infra", 4, 10, "no Kubernetes provider")]
    [InlineData("  cloud: kubernetes\n", "resources.cloud", 4, 10, "no Kubernetes provider")]
    [InlineData("  any_of:\n    - infra: aws\n    - infra: k8s/my-context\n", "resources.any_of[1].infra", 6, 14, "no Kubernetes provider")]
    [InlineData("  infra: ssh/my-pool\n", "resources.infra", 4, 10, "no SSH node pool provider")]
    [InlineData("  cloud: lambda\n", "resources.cloud", 4, 10, "unsupported cloud 'lambda'")]
    [InlineData("  infra: aws/us-east-1/a/b\n", "resources.infra", 4, 10, "infra must be cloud, cloud/region or cloud/region/zone")]
    [InlineData("  infra: aws//us-east-1a\n", "resources.infra", 4, 10, "each part a name or * for any")]
    [InlineData("  infra: '*/eu-west-9x'\n", "resources.infra", 4, 10, "cannot tell which cloud region 'eu-west-9x' is in")]
    [InlineData("  infra: aws/us-west-2/us-east-1a\n", "resources.infra", 4, 10, "zone 'us-east-1a' is in region 'us-east-1', not 'us-west-2'")]
    [InlineData("  infra: aws\n  region: us-east-1\n", "resources.infra", 4, 10, "infra cannot be combined with cloud, region or zone")]
    [InlineData("  cloud: local\n  zone: us-east-1a\n", "resources.zone", 5, 9, "zone 'us-east-1a' needs its region: write infra: local/REGION/us-east-1a")]
    [InlineData("  any_of:\n    - infra: aws\n    - infra: oci\n", "resources.any_of[1].infra", 6, 14, "unsupported cloud 'oci'")]
    [InlineData("  any_of:\n    - infra: aws\n    - infra: aws\n", "resources.any_of[1]", 6, 7, "location aws is listed twice")]
    [InlineData("  any_of:\n    - infra: aws\n    - ports: 8081\n", "resources.any_of[1].ports", 6, 7, "unsupported key 'ports': every replica serves on the same port")]
    [InlineData("  any_of:\n    - infra: aws\n    - any_of: [{infra: gcp}]\n", "resources.any_of[1].any_of", 6, 7, "unsupported key 'any_of': any_of entries do not nest")]
    [InlineData("  accelerators: [L4, A10G]\n  any_of:\n    - infra: aws\n", "resources.accelerators", 4, 17, "a preference list of accelerators cannot be combined with any_of")]
    [InlineData("  accelerators: {L4:1, A10G:1}\n  ordered:\n    - infra: aws\n", "resources.accelerators", 4, 17, "several accelerators cannot be combined with ordered")]
    [InlineData("  any_of:\n    - aws\n", "resources.any_of[0]", 5, 7, "expected a mapping such as {infra: aws/us-east-1}, got 'aws'")]
    [InlineData("  any_of:\n    - {}\n    - {}\n", "resources.any_of[1]", 6, 7, "this entry is listed twice")]
    [InlineData("  any_of: aws\n", "resources.any_of", 4, 11, "expected a list of resources such as")]
    [InlineData("  any_of: [{infra: aws}]\n  ordered: [{infra: gcp}]\n", "resources.ordered", 5, 3, "any_of and ordered cannot both be set")]
    public void Bad_locations_are_errors(string resourceLines, string path, int line, int column, string message)
    {
        SpecAssert.HasError("service:\n  ports: 8080\nresources:\n" + resourceLines, path, line, column, message);
    }
}
