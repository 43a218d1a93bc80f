using SkyServe.Core.Traces;

namespace SkyServe.Core.Tests.Traces;

public sealed class ZoneRegionTests
{
    [Theory]
    [InlineData("us-west-2c", "us-west-2")]
    [InlineData("us-east-1f", "us-east-1")]
    [InlineData("us-central1-a", "us-central1")]
    [InlineData("eastus-1", "eastus")]
    [InlineData("local-a", "local")]
    [InlineData("zone1", "zone1")]
    [InlineData("somewhere", "somewhere")]
    public void The_region_is_the_zone_name_without_its_zone_letter(string zone, string region)
    {
        Assert.Equal(region, ZoneRegion.Of(zone));
    }
}
