using SkyServe.ReplicaAgent.Hosting;

namespace SkyServe.ReplicaAgent.Tests;

public sealed class UtcTimestampTests
{
    [Theory]
    [InlineData("2017-09-18T08:22:00Z", "2017-09-18T08:22:00Z")]
    [InlineData("2017-09-18T10:22:00.25+02:00", "2017-09-18T08:22:00.25Z")]
    [InlineData("2017-09-18T08:22:00.1234567Z", "2017-09-18T08:22:00.1234567Z")]
    public void Writes_utc_with_a_Z_and_only_the_fraction_there_is(string value, string expected) =>
        Assert.Equal(expected, UtcTimestamp.Format(DateTimeOffset.Parse(value)));
}
