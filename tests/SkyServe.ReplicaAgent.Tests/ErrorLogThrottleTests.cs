using SkyServe.ReplicaAgent.Interruption;

namespace SkyServe.ReplicaAgent.Tests;

public sealed class ErrorLogThrottleTests
{
    [Fact]
    public void Logs_an_error_at_most_once_per_interval_and_counts_the_rest()
    {
        var time = new ManualTimeProvider();
        var throttle = new ErrorLogThrottle(time, TimeSpan.FromMinutes(1));

        Assert.True(throttle.ShouldLogError(out var suppressed));
        Assert.Equal(0, suppressed);
        for (var i = 0; i < 59; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            Assert.False(throttle.ShouldLogError(out _));
        }
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(throttle.ShouldLogError(out suppressed));
        Assert.Equal(59, suppressed);
    }

    [Fact]
    public void A_recovery_is_reported_once_after_a_reported_error()
    {
        var time = new ManualTimeProvider();
        var throttle = new ErrorLogThrottle(time, TimeSpan.FromMinutes(1));

        Assert.False(throttle.ShouldLogRecovery());
        throttle.ShouldLogError(out _);
        Assert.True(throttle.ShouldLogRecovery());
        Assert.False(throttle.ShouldLogRecovery());

        // A flapping service: the next error falls in the same minute, so neither it nor its recovery is logged.
        Assert.False(throttle.ShouldLogError(out _));
        Assert.False(throttle.ShouldLogRecovery());
    }
}
