using SkyServe.ReplicaAgent.Interruption;

namespace SkyServe.ReplicaAgent.Tests;

public sealed class MetadataPollBackoffTests
{
    [Theory]
    [InlineData(0, 250)]
    [InlineData(1, 500)]
    [InlineData(4, 4000)]
    [InlineData(7, 30000)] // 32 s, capped
    [InlineData(1000, 30000)]
    public void The_wait_doubles_per_failure_in_a_row_up_to_30_s(int failures, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), MetadataPollBackoff.After(failures, TimeSpan.FromMilliseconds(250)));

    [Fact]
    public void An_interval_above_the_cap_is_never_shortened() =>
        Assert.Equal(TimeSpan.FromMinutes(1), MetadataPollBackoff.After(3, TimeSpan.FromMinutes(1)));
}
