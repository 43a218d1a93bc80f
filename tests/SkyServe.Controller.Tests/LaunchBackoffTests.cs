using SkyServe.Controller.Reconcile;

namespace SkyServe.Controller.Tests;

/// <summary>After failed launches a service waits LaunchBackoff, doubling per failure in a row, up to MaxLaunchBackoff.</summary>
public sealed class LaunchBackoffTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Waits_double_per_failure_up_to_the_cap_and_a_success_starts_over()
    {
        var options = new ReconcileOptions { LaunchBackoff = TimeSpan.FromSeconds(2), MaxLaunchBackoff = TimeSpan.FromSeconds(10) };
        var state = new ServiceRuntimeState();
        foreach (var expected in new[] { 2, 4, 8, 10, 10 })
        {
            state.LaunchFailed(1, T0, options);
            Assert.False(state.MayLaunch(1, T0 + TimeSpan.FromSeconds(expected) - TimeSpan.FromTicks(1)));
            Assert.True(state.MayLaunch(1, T0 + TimeSpan.FromSeconds(expected)));
        }
        state.LaunchSucceeded(1);
        Assert.True(state.MayLaunch(1, T0));
        state.LaunchFailed(1, T0, options);
        Assert.True(state.MayLaunch(1, T0 + TimeSpan.FromSeconds(2)));
        Assert.False(state.MayLaunch(1, T0 + TimeSpan.FromSeconds(1)));
        Assert.True(state.MayLaunch(2, T0)); // per service
    }
}
