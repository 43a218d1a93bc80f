using SkyServe.Providers.Aws;

namespace SkyServe.Providers.Tests.Aws;

/// <summary>Offerings: catalog types × the zones EC2 sells them in × on demand (catalog price) and spot (EC2's current price).</summary>
public sealed class AwsOfferingsTests : IAsyncLifetime
{
    private AwsTestCloud cloud = null!;
    private AwsCloudProvider provider = null!;

    public async Task InitializeAsync()
    {
        cloud = await AwsTestCloud.StartAsync();
        provider = cloud.Provider();
    }

    public async Task DisposeAsync() => await cloud.DisposeAsync();

    [Fact]
    public async Task Every_catalog_type_is_offered_where_EC2_sells_it_and_nowhere_else()
    {
        var offerings = await provider.ListOfferingsAsync(CancellationToken.None);
        // us-east-1 is limited to the zones with a configured subnet; us-west-2 (default VPC) offers every zone.
        Assert.Equal(["us-east-1a", "us-east-1b", "us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"],
            offerings.Select(o => o.Key.Zone).Distinct().Order());
        // g6.xlarge in us-west-2 is sold in usw2-az1..4 (all four zones), as spot only in usw2-az1, az3 and az4 (b, c, d here).
        Assert.Equal(["us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"],
            offerings.Where(o => o.Key.InstanceType == "g6.xlarge" && o.Key.Region == "us-west-2" && !o.Spot).Select(o => o.Key.Zone).Order());
        Assert.Equal(["us-west-2b", "us-west-2c", "us-west-2d"],
            offerings.Where(o => o.Key.InstanceType == "g6.xlarge" && o.Key.Region == "us-west-2" && o.Spot).Select(o => o.Key.Zone).Order());
        var t4 = Assert.Single(offerings, o => o.Key == AwsTestCloud.Key("us-east-1a", "g4dn.xlarge", spot: false));
        Assert.Equal(0.526m, t4.PricePerHour);
        Assert.Equal(("T4", 1, 16.0), (t4.Instance.AcceleratorName, t4.Instance.AcceleratorCount, t4.Instance.GpuMemoryGiB));
        var t4Spot = Assert.Single(offerings, o => o.Key == t4.Key with { Spot = true });
        Assert.Equal(0.187m, t4Spot.PricePerHour);
        Assert.Equal(0.187m, t4Spot.Instance.SpotPerHour);
        Assert.All(offerings, o => Assert.True(o.Available));
        Assert.DoesNotContain(offerings, o => o.Key.Region == "eu-west-1"); // not configured
    }

    [Fact]
    public async Task Spot_prices_are_cached_and_refreshed_on_schedule()
    {
        var key = AwsTestCloud.Key("us-east-1a", "g5.xlarge", spot: true);
        Assert.Equal(0.403m, Price(await provider.ListOfferingsAsync(CancellationToken.None)));
        cloud.Clock.Advance(TimeSpan.FromSeconds(1));
        cloud.World.SetSpotPrice("g5.xlarge", "us-east-1a", 0.512m);
        Assert.Equal(0.403m, Price(await provider.ListOfferingsAsync(CancellationToken.None))); // cached
        Assert.Single(cloud.Emulator.RequestsFor("DescribeSpotPriceHistory"), r => r.Region == "us-east-1");
        cloud.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(0.512m, Price(await provider.ListOfferingsAsync(CancellationToken.None)));
        var asked = cloud.Emulator.RequestsFor("DescribeSpotPriceHistory").Last(r => r.Region == "us-east-1");
        Assert.Equal("Linux/UNIX", asked["ProductDescription.1"]);
        Assert.Equal(asked["StartTime"], asked["EndTime"]);
        Assert.Single(cloud.Emulator.RequestsFor("DescribeInstanceTypeOfferings"), r => r.Region == "us-east-1"); // zones: hourly

        decimal Price(IReadOnlyList<CloudOffering> offerings) => Assert.Single(offerings, o => o.Key == key).PricePerHour;
    }

    [Fact]
    public async Task A_failed_refresh_keeps_the_last_prices()
    {
        var first = await provider.ListOfferingsAsync(CancellationToken.None);
        cloud.Clock.Advance(TimeSpan.FromMinutes(10));
        cloud.Emulator.FailNext("DescribeSpotPriceHistory", "UnauthorizedOperation", "You are not authorized to perform this operation.", System.Net.HttpStatusCode.Forbidden);
        var second = await provider.ListOfferingsAsync(CancellationToken.None);
        Assert.Equal(first.Select(o => (o.Key, o.PricePerHour)), second.Select(o => (o.Key, o.PricePerHour)));
    }

    [Fact]
    public async Task Without_any_answer_yet_a_refused_lookup_is_typed()
    {
        cloud.Emulator.Deny(AwsTestCloud.AccessKey, "DescribeInstanceTypeOfferings");
        var error = await Assert.ThrowsAsync<CloudProviderException>(() => provider.ListOfferingsAsync(CancellationToken.None));
        Assert.Equal((CloudErrorKind.Unauthorized, "UnauthorizedOperation"), (error.Kind, error.CloudCode));
    }
}
