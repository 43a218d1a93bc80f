using SkyServe.Core.Policies;
using SkyServe.Core.Spec;
using static SkyServe.Core.Tests.Policies.PolicyTestData;

namespace SkyServe.Core.Tests.Policies;

public sealed class SpotHedgePlacementTests
{
    private static PlacementOption? Choose(
        IReadOnlyList<PlacementOption> options, IReadOnlyCollection<Location> used, SpotPlacer? placer = SpotPlacer.DynamicFallback, params LocationState[] states) =>
        SpotHedge.ChooseSpot(options, states, used, placer);

    private static LocationState Preempted(Location location) => new(location, LocationStatus.Preempted, 1, T0);

    [Fact]
    public void Goes_to_the_cheapest_active_location_without_a_spot_replica()
    {
        Assert.Equal(OptionA, Choose(ThreeZones, []));
        Assert.Equal(OptionB, Choose(ThreeZones, [ZoneA]));
        Assert.Equal(OptionC, Choose(ThreeZones, [ZoneA, ZoneB]));
    }

    [Fact]
    public void When_every_active_location_is_in_use_goes_to_the_cheapest_active_one()
    {
        Assert.Equal(OptionA, Choose(ThreeZones, [ZoneA, ZoneB, ZoneC]));
        Assert.Equal(OptionB, Choose(ThreeZones, [ZoneA, ZoneB, ZoneC], SpotPlacer.DynamicFallback, Preempted(ZoneA)));
    }

    [Fact]
    public void Skips_preempted_locations()
    {
        Assert.Equal(OptionB, Choose(ThreeZones, [], SpotPlacer.DynamicFallback, Preempted(ZoneA)));
        Assert.Equal(OptionC, Choose(ThreeZones, [], SpotPlacer.DynamicFallback, Preempted(ZoneA), Preempted(ZoneB)));
        // A preempted location is not chosen even when it is the only unused one.
        Assert.Equal(OptionA, Choose(ThreeZones, [ZoneA, ZoneB], SpotPlacer.DynamicFallback, Preempted(ZoneC)));
    }

    [Fact]
    public void No_active_location_with_an_option_means_no_choice()
    {
        Assert.Null(Choose(ThreeZones, [], SpotPlacer.DynamicFallback, Preempted(ZoneA), Preempted(ZoneB), Preempted(ZoneC)));
        Assert.Null(Choose([OptionA], [], SpotPlacer.DynamicFallback, Preempted(ZoneA), LocationState.ActiveAt(ZoneD)));
        Assert.Null(Choose([], []));
    }

    [Fact]
    public void Skips_options_without_an_available_spot_offering()
    {
        var refused = OptionA with { SpotAvailable = false };
        var onDemandOnly = OptionB with { SpotPrice = null };
        Assert.Equal(OptionC, Choose([refused, onDemandOnly, OptionC], []));
        Assert.Null(Choose([refused, onDemandOnly], []));
        Assert.Null(Choose([refused, onDemandOnly], [], placer: null));
    }

    [Fact]
    public void Ties_in_price_go_to_the_location_that_sorts_first()
    {
        var sameAsB = Option(ZoneA, spot: OptionB.SpotPrice);
        Assert.Equal(sameAsB, Choose([OptionB, sameAsB], []));
        Assert.Equal(OptionB, Choose([OptionB, sameAsB], [ZoneA]));
    }

    [Fact]
    public void Without_a_placer_takes_the_cheapest_spot_option_regardless_of_spread_or_state()
    {
        Assert.Equal(OptionA, Choose(ThreeZones, [ZoneA], placer: null, Preempted(ZoneA)));
    }

    [Fact]
    public void SpotHedge_places_the_same_whatever_placer_is_named()
    {
        // hedge_plus has its own placement (HedgePlus.ChooseSpot); SpotHedge's rule does not depend on the name.
        Assert.Equal(OptionB, Choose(ThreeZones, [ZoneA], SpotPlacer.HedgePlus));
        Assert.Equal(OptionC, Choose(ThreeZones, [ZoneA], SpotPlacer.HedgePlus, Preempted(ZoneB)));
    }

    [Fact]
    public void On_demand_goes_to_the_cheapest_on_demand_option()
    {
        Assert.Equal(OptionA, SpotHedge.ChooseOnDemand(ThreeZones));
        Assert.Equal(OptionC, SpotHedge.ChooseOnDemand([OptionB, OptionC]));
        Assert.Null(SpotHedge.ChooseOnDemand([]));
    }

    [Fact]
    public void A_tie_break_picks_among_equally_cheap_locations_repeatably()
    {
        var tie = new PlacementTieBreak(42);
        PlacementOption[] equal = [Option(ZoneA, 1m), Option(ZoneB, 1m), Option(ZoneC, 1m)];
        var picks = Enumerable.Range(0, 60)
            .Select(minute => SpotHedge.ChooseSpot(equal, [], [], SpotPlacer.DynamicFallback, tie, T0.AddMinutes(minute))!.Location)
            .ToList();
        Assert.Equal(3, picks.Distinct().Count()); // each location gets picked sometimes
        Assert.Equal(picks, Enumerable.Range(0, 60)
            .Select(minute => SpotHedge.ChooseSpot(equal, [], [], SpotPlacer.DynamicFallback, new PlacementTieBreak(42), T0.AddMinutes(minute))!.Location));
        // Price still comes first, and unused locations before used ones.
        Assert.Equal(OptionA, SpotHedge.ChooseSpot([OptionC, OptionB, OptionA], [], [], SpotPlacer.DynamicFallback, tie, T0));
        Assert.Equal(ZoneC, SpotHedge.ChooseSpot(equal, [], [ZoneA, ZoneB], SpotPlacer.DynamicFallback, tie, T0)!.Location);
    }
}
