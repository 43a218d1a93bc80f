using SkyServe.Core.Catalog;

namespace SkyServe.Core.Tests.Catalog;

public sealed class CatalogFindTests
{
    private static readonly CloudCatalog Clouds = SmallCatalog.Load().Clouds;

    private static string[] Names(OfferingSearchResult result)
    {
        Assert.True(result.Found, result.Error);
        return [.. result.Offerings.Select(o => $"{o.InstanceType}@{o.Zone}")];
    }

    private static string Error(OfferingSearchResult result)
    {
        Assert.False(result.Found);
        Assert.Empty(result.Offerings);
        return result.Error!;
    }

    [Fact]
    public void Any_of_several_candidates_anywhere_cheapest_first()
    {
        var result = Clouds.Find([new AcceleratorRequest("L4", 1), new AcceleratorRequest("A10G", 1)], useSpot: false);
        Assert.Equal(
            ["g2-standard-4@us-central1-a", "g2-standard-4@us-central1-b", "g6.xlarge@use1-az1", "g6.xlarge@use1-az2", "g6.xlarge@usw2-az1", "g5.xlarge@use1-az1", "g5.xlarge@use1-az2"],
            Names(result));
    }

    [Fact]
    public void Counts_match_exactly()
    {
        Assert.Equal(["g6.12xlarge@use1-az1"], Names(Clouds.Find([new AcceleratorRequest("L4", 4)], useSpot: false)));
    }

    [Fact]
    public void Spot_requests_get_spot_offerings_ordered_by_spot_price()
    {
        var result = Clouds.Find([new AcceleratorRequest("L4", 1), new AcceleratorRequest("A10G", 1)], useSpot: true, [new LocationFilter("aws")]);
        Assert.Equal(["g6.xlarge@usw2-az1", "g5.xlarge@use1-az1", "g5.xlarge@use1-az2", "g6.xlarge@use1-az2"], Names(result));
    }

    [Fact]
    public void Location_filters_narrow_to_clouds_regions_and_zones()
    {
        var l4 = new AcceleratorRequest("l4", 1);
        Assert.Equal(["g2-standard-4@us-central1-b"], Names(Clouds.Find([l4], false, [new LocationFilter("gcp", "us-central1", "us-central1-b")])));
        Assert.Equal(["g6.xlarge@usw2-az1"], Names(Clouds.Find([l4], false, [new LocationFilter("AWS", "us-west-2")])));
        Assert.Equal(
            ["g2-standard-4@us-central1-a", "g2-standard-4@us-central1-b", "g6.xlarge@usw2-az1"],
            Names(Clouds.Find([l4], false, [new LocationFilter("aws", "us-west-2"), new LocationFilter("gcp")])));
        Assert.Equal(["g6.xlarge@use1-az2"], Names(Clouds.Find([l4], false, [new LocationFilter("aws", null, "use1-az2")])));
    }

    [Fact]
    public void No_candidates_asks_for_CPU_only_types()
    {
        Assert.Equal(["m7i-flex.2xlarge@use1-az1"], Names(Clouds.Find([], useSpot: true)));
    }

    [Fact]
    public void Explains_a_count_that_is_not_offered()
    {
        Assert.Equal(
            "no catalog offering has L4:8 in gcp/us-central1; L4 is offered there with 1 GPU; L4:8 is not offered anywhere in the catalog",
            Error(Clouds.Find([new AcceleratorRequest("L4", 8)], false, [new LocationFilter("gcp", "us-central1")])));
        Assert.Equal(
            "no catalog offering has L4:4 in gcp/us-central1; L4 is offered there with 1 GPU; L4:4 is offered in aws/us-east-1",
            Error(Clouds.Find([new AcceleratorRequest("l4", 4)], false, [new LocationFilter("gcp", "us-central1")])));
    }

    [Fact]
    public void Explains_what_is_offered_only_on_demand()
    {
        Assert.Equal(
            "no catalog offering has T4:1 in gcp as spot; T4 is offered there only on demand; T4:1 is not offered as spot anywhere in the catalog",
            Error(Clouds.Find([new AcceleratorRequest("T4", 1)], true, [new LocationFilter("gcp")])));
        Assert.Equal(
            "no catalog offering has L4:1 in aws/us-east-1/use1-az1 as spot; L4 is offered there as spot with 4 GPUs; " +
            "L4:1 is offered there only on demand; L4:1 is offered as spot in aws/us-east-1, aws/us-west-2 and gcp/us-central1",
            Error(Clouds.Find([new AcceleratorRequest("L4", 1)], true, [new LocationFilter("aws", "us-east-1", "use1-az1")])));
    }

    [Fact]
    public void Explains_each_candidate_and_an_accelerator_not_offered_in_a_place()
    {
        Assert.Equal(
            "no catalog offering has A100:8 or T4:1 in aws; A100 is not offered there; A100:8 is offered in gcp/us-central1; " +
            "T4 is not offered there; T4:1 is offered in gcp/us-central1",
            Error(Clouds.Find([new AcceleratorRequest("A100", 8), new AcceleratorRequest("t4", 1)], false, [new LocationFilter("aws")])));
    }

    [Fact]
    public void Explains_unknown_and_absent_accelerators()
    {
        Assert.Equal(
            "no catalog offering has Z9:1 anywhere; 'Z9' is not an accelerator the catalog knows (it has A100, A10G, L4 and T4)",
            Error(Clouds.Find([new AcceleratorRequest("Z9", 1)], false)));
        Assert.Equal(
            "no catalog offering has H100:8 anywhere; the catalog has no H100 offering at all",
            Error(Clouds.Find([new AcceleratorRequest("h100", 8)], false)));
    }

    [Fact]
    public void Explains_a_missing_CPU_only_type()
    {
        Assert.Equal(
            "no CPU-only catalog offering exists in gcp as spot; CPU-only types are offered as spot in aws/us-east-1",
            Error(Clouds.Find([], true, [new LocationFilter("gcp")])));
    }

    [Theory]
    [InlineData("L4", 0)]
    [InlineData(" ", 1)]
    public void Rejects_malformed_requests(string name, int count)
    {
        Assert.Contains("is not a valid accelerator request", Error(Clouds.Find([new AcceleratorRequest(name, count)], false)));
    }
}
