using SkyServe.Core.Policies;
using static SkyServe.Core.Tests.Policies.PolicyTestData;

namespace SkyServe.Core.Tests.Policies;

public sealed class SpotHedgeLocationStateTests
{
    private static readonly Location[] Candidates = [ZoneA, ZoneB, ZoneC];

    [Fact]
    public void A_preemption_marks_the_location_preempted_and_counts_it()
    {
        var states = SpotHedge.OnPreempted([], Candidates, ZoneB, T0);
        Assert.Equal(
            [LocationState.ActiveAt(ZoneA), new LocationState(ZoneB, LocationStatus.Preempted, 1, T0), LocationState.ActiveAt(ZoneC)],
            states);
    }

    [Fact]
    public void A_failed_launch_marks_the_location_preempted_without_counting_a_preemption()
    {
        var states = SpotHedge.OnLaunchFailed([], Candidates, ZoneA);
        Assert.Equal(new LocationState(ZoneA, LocationStatus.Preempted), states[0]);
        Assert.Equal(3, states.Count);
    }

    [Fact]
    public void A_launch_marks_the_location_active_and_keeps_its_history()
    {
        var preempted = SpotHedge.OnPreempted([], Candidates, ZoneA, T0);
        var launched = SpotHedge.OnLaunched(preempted, Candidates, ZoneA);
        Assert.Equal(new LocationState(ZoneA, LocationStatus.Active, 1, T0), launched[0]);
    }

    [Fact]
    public void Fewer_than_two_active_locations_make_every_location_active_again()
    {
        var one = SpotHedge.OnPreempted([], Candidates, ZoneA, T0);
        var two = SpotHedge.OnPreempted(one, Candidates, ZoneB, T0.AddMinutes(5));
        Assert.Equal(
            [
                new LocationState(ZoneA, LocationStatus.Active, 1, T0),
                new LocationState(ZoneB, LocationStatus.Active, 1, T0.AddMinutes(5)),
                LocationState.ActiveAt(ZoneC),
            ],
            two);
    }

    [Fact]
    public void The_reset_threshold_is_configurable()
    {
        var one = SpotHedge.OnPreempted([], Candidates, ZoneA, T0, resetThreshold: 1);
        var two = SpotHedge.OnLaunchFailed(one, Candidates, ZoneB, resetThreshold: 1);
        Assert.Equal([LocationStatus.Preempted, LocationStatus.Preempted, LocationStatus.Active], two.Select(s => s.Status));

        var three = SpotHedge.OnPreempted(two, Candidates, ZoneC, T0, resetThreshold: 1);
        Assert.All(three, state => Assert.Equal(LocationStatus.Active, state.Status));
    }

    [Fact]
    public void With_two_candidates_a_single_preemption_resets_at_once()
    {
        var states = SpotHedge.OnPreempted([], [ZoneA, ZoneB], ZoneA, T0);
        Assert.Equal([new LocationState(ZoneA, LocationStatus.Active, 1, T0), LocationState.ActiveAt(ZoneB)], states);
    }

    [Fact]
    public void Locations_outside_the_candidates_are_kept_after_them_and_count_toward_the_threshold()
    {
        var extra = new LocationState(ZoneD, LocationStatus.Active, 2, T0);
        var states = SpotHedge.OnPreempted([extra], [ZoneA, ZoneB], ZoneA, T0);
        // A is preempted; B and D are active: two left, no reset.
        Assert.Equal([new LocationState(ZoneA, LocationStatus.Preempted, 1, T0), LocationState.ActiveAt(ZoneB), extra], states);

        var unknown = new Location("azure", "eastus", "eastus-1");
        var withUnknown = SpotHedge.OnLaunchFailed([], [ZoneA, ZoneB], unknown);
        Assert.Equal([ZoneA, ZoneB, unknown], withUnknown.Select(s => s.Location));
        Assert.Equal(LocationStatus.Preempted, withUnknown[2].Status);
    }

    [Fact]
    public void Unknown_locations_count_as_active()
    {
        Assert.True(SpotHedge.IsActive([], ZoneA));
        Assert.False(SpotHedge.IsActive([new LocationState(ZoneA, LocationStatus.Preempted)], ZoneA));
    }
}
