namespace SkyServe.Providers.Tests.Aws;

/// <summary>Describe calls follow nextToken to the last page.</summary>
public sealed class AwsPagingTests : IAsyncLifetime
{
    private AwsTestCloud cloud = null!;

    public async Task InitializeAsync() => cloud = await AwsTestCloud.StartAsync();

    public async Task DisposeAsync() => await cloud.DisposeAsync();

    [Fact]
    public async Task Listing_more_machines_than_a_page_reads_every_page()
    {
        var provider = cloud.Provider(cloud.Options() with { PageSize = 5 });
        var tags = new Dictionary<string, string> { [MachineTags.ManagedBy] = "paging", [MachineTags.Service] = "many" };
        var launched = new List<string>();
        for (var i = 0; i < 12; i++)
            launched.Add((await provider.LaunchAsync(AwsTestCloud.Launch(AwsTestCloud.Key("us-east-1a", "g4dn.xlarge", spot: i % 2 == 0), tags: tags), CancellationToken.None)).Id);
        await provider.LaunchAsync(AwsTestCloud.Launch(AwsTestCloud.Key("us-east-1b", "g4dn.xlarge", spot: false)), CancellationToken.None); // not tagged "many"

        var listed = await provider.ListAsync(tags, CancellationToken.None);

        Assert.Equal(launched.Order(), listed.Select(m => m.Id).Order());
        var pages = cloud.Emulator.RequestsFor("DescribeInstances").Where(r => r.Region == "us-east-1").ToList();
        Assert.Equal(3, pages.Count); // 5 + 5 + 2
        Assert.All(pages, p => Assert.Equal("5", p["MaxResults"]));
        Assert.Null(pages[0]["NextToken"]);
        Assert.NotNull(pages[1]["NextToken"]);
        Assert.NotEqual(pages[1]["NextToken"], pages[2]["NextToken"]);
        // The tag filters and the live-state filter went to EC2 on every page.
        Assert.All(pages, p => Assert.Equal("tag:skyserve-managed-by", p["Filter.1.Name"]));
        Assert.All(pages, p => Assert.Equal("instance-state-name", p["Filter.3.Name"]));
    }

    [Fact]
    public async Task Offerings_are_the_same_whatever_the_page_size()
    {
        var small = await cloud.Provider(cloud.Options() with { PageSize = 5 }).ListOfferingsAsync(CancellationToken.None);
        var large = await cloud.Provider().ListOfferingsAsync(CancellationToken.None);
        Assert.Equal(large.Select(o => o.Key), small.Select(o => o.Key));
        Assert.True(cloud.Emulator.RequestsFor("DescribeInstanceTypeOfferings").Count(r => r["MaxResults"] == "5") > 2);
        Assert.True(cloud.Emulator.RequestsFor("DescribeSpotPriceHistory").Count(r => r["MaxResults"] == "5") > 2);
    }
}
