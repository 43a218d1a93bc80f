using SkyServe.Core.Hosting;

namespace SkyServe.Core.Tests.Hosting;

public sealed class BackoffTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    [Fact]
    public void Waits_double_from_the_first_up_to_the_cap()
    {
        var backoff = new Backoff(Ms(250), TimeSpan.FromSeconds(2));
        Assert.Equal([Ms(250), Ms(500), Ms(1000), Ms(2000), Ms(2000), Ms(2000)], Enumerable.Range(0, 6).Select(_ => backoff.Next()));
        Assert.Equal(6, backoff.Failures);
    }

    [Fact]
    public void Reset_starts_over_at_the_first_wait()
    {
        var backoff = new Backoff(Ms(250), TimeSpan.FromSeconds(5));
        backoff.Next();
        backoff.Next();
        backoff.Next();
        backoff.Reset();
        Assert.Equal(0, backoff.Failures);
        Assert.Equal(Ms(250), backoff.Next());
        Assert.Equal(Ms(500), backoff.Next());
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(0, 0)]
    [InlineData(1, 2_000)]
    [InlineData(2, 4_000)]
    [InlineData(4, 16_000)]
    [InlineData(5, 30_000)] // 32 s, capped
    [InlineData(64, 30_000)]
    [InlineData(int.MaxValue, 30_000)]
    public void DelayAfter_counts_failures_in_a_row(int failures, int expectedMs) =>
        Assert.Equal(Ms(expectedMs), new Backoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30)).DelayAfter(failures));

    [Fact]
    public void Next_and_DelayAfter_agree()
    {
        var backoff = new Backoff(Ms(100), TimeSpan.FromSeconds(10));
        for (var n = 1; n <= 10; n++)
            Assert.Equal(backoff.DelayAfter(n), backoff.Next());
    }

    [Fact]
    public void A_first_wait_above_the_cap_is_cut_to_it() =>
        Assert.Equal(TimeSpan.FromSeconds(30), new Backoff(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30)).Next());

    [Fact]
    public void Other_factors_grow_by_that_factor()
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), factor: 3);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(27), TimeSpan.FromMinutes(1)],
            Enumerable.Range(0, 5).Select(_ => backoff.Next()));
        var constant = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), factor: 1);
        Assert.Equal(TimeSpan.FromSeconds(1), constant.DelayAfter(50));
    }

    [Fact]
    public void An_uncapped_backoff_never_overflows()
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.MaxValue);
        Assert.Equal(TimeSpan.FromSeconds(512), backoff.DelayAfter(10));
        Assert.Equal(TimeSpan.MaxValue, backoff.DelayAfter(1000));
        Assert.Equal(TimeSpan.Zero, new Backoff(TimeSpan.Zero, TimeSpan.MaxValue, factor: 1e300).DelayAfter(1000));
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Backoff(Ms(-1), Ms(10)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Backoff(Ms(1), Ms(-10)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Backoff(Ms(1), Ms(10), factor: 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Backoff(Ms(1), Ms(10), factor: double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Backoff(Ms(1), Ms(10), factor: double.PositiveInfinity));
    }
}
