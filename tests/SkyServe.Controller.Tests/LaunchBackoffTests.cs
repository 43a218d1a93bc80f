using SkyServe.Core.Policies;

namespace SkyServe.Controller.Tests;

/// <summary>After failed launches a service waits LaunchBackoff, doubling per failure in a row, up to MaxLaunchBackoff.</summary>
public sealed class LaunchBackoffTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Waits_double_per_failure_up_to_the_cap_and_a_success_starts_over()
    {
        var (first, max) = (TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));
        var state = LaunchBackoffState.None;
        foreach (var expected in new[] { 2, 4, 8, 10, 10 })
        {
            state = LaunchAdmission.AfterFailure(state, T0, first, max);
            Assert.False(LaunchAdmission.MayLaunch(state, T0 + TimeSpan.FromSeconds(expected) - TimeSpan.FromTicks(1)));
            Assert.True(LaunchAdmission.MayLaunch(state, T0 + TimeSpan.FromSeconds(expected)));
        }
        state = LaunchAdmission.AfterSuccess;
        Assert.True(LaunchAdmission.MayLaunch(state, T0));
        state = LaunchAdmission.AfterFailure(state, T0, first, max);
        Assert.True(LaunchAdmission.MayLaunch(state, T0 + TimeSpan.FromSeconds(2)));
        Assert.False(LaunchAdmission.MayLaunch(state, T0 + TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Room_is_the_launches_in_flight_left_and_none_while_backing_off()
    {
        Assert.Equal(3, LaunchAdmission.Room(LaunchBackoffState.None, T0, maxInFlight: 8, inFlight: 5));
        Assert.Equal(0, LaunchAdmission.Room(LaunchBackoffState.None, T0, maxInFlight: 8, inFlight: 9));
        var waiting = LaunchAdmission.AfterFailure(LaunchBackoffState.None, T0, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));
        Assert.Equal(0, LaunchAdmission.Room(waiting, T0 + TimeSpan.FromSeconds(1), maxInFlight: 8, inFlight: 0));
        Assert.Equal(8, LaunchAdmission.Room(waiting, T0 + TimeSpan.FromSeconds(2), maxInFlight: 8, inFlight: 0));
    }
}
