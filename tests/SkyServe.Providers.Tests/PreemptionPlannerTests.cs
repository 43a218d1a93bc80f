using SkyServe.Providers.Local;

namespace SkyServe.Providers.Tests;

public sealed class PreemptionPlannerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Nothing_is_reclaimed_within_capacity()
    {
        Assert.Empty(PreemptionPlanner.Plan([("a", T0), ("b", T0.AddMinutes(1))], 2));
        Assert.Empty(PreemptionPlanner.Plan([], 0));
    }

    [Fact]
    public void The_newest_machines_go_first()
    {
        var machines = new[] { ("old", T0), ("newest", T0.AddMinutes(9)), ("mid", T0.AddMinutes(5)) };
        Assert.Equal(["newest"], PreemptionPlanner.Plan(machines, 2));
        Assert.Equal(["newest", "mid"], PreemptionPlanner.Plan(machines, 1));
        Assert.Equal(["newest", "mid", "old"], PreemptionPlanner.Plan(machines, 0));
        Assert.Equal(["newest", "mid", "old"], PreemptionPlanner.Plan(machines, -3));
    }

    [Fact]
    public void Ties_are_broken_deterministically()
    {
        Assert.Equal(["b"], PreemptionPlanner.Plan([("a", T0), ("b", T0)], 1));
        Assert.Equal(["b"], PreemptionPlanner.Plan([("b", T0), ("a", T0)], 1));
    }
}
