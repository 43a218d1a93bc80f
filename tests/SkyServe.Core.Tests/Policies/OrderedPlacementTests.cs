using SkyServe.Core.Catalog;
using SkyServe.Core.Placement;
using SkyServe.Core.Policies;
using SkyServe.Core.Spec;
using static SkyServe.Core.Tests.Policies.PolicyTestData;

namespace SkyServe.Core.Tests.Policies;

/// <summary>
/// <c>ordered:</c> and a list of <c>accelerators</c> are preference orders, as in SkyPilot: the planner launches the first
/// candidate it can, whatever a later one costs, and a later one only while every earlier one is unavailable. The prices
/// here are chosen so that price alone would pick the other candidate each time.
/// </summary>
public sealed class OrderedPlacementTests
{
    private static readonly Location Gcp = new("gcp", "us-central1", "us-central1-a");
    private static readonly Location AwsA = new("aws", "us-east-1", "use1-az1");
    private static readonly Location AwsB = new("aws", "us-east-1", "use1-az2");

    // AWS is the cheaper on both markets.
    private static readonly InstanceOffering[] L4Offerings =
    [
        L4(Gcp, "g2-standard-4", onDemand: 0.90m, spot: 0.40m),
        L4(AwsA, "g6.xlarge", onDemand: 0.80m, spot: 0.30m),
        L4(AwsB, "g6.xlarge", onDemand: 0.80m, spot: 0.30m),
    ];

    private const string GcpThenAws = "  accelerators: L4:1\n  ordered:\n    - infra: gcp/us-central1\n    - infra: aws/us-east-1\n";

    [Fact]
    public void On_demand_goes_to_the_first_ordered_location_though_the_next_is_cheaper()
    {
        var spec = Parse(GcpThenAws);
        var options = OptionsFor(spec, L4Offerings);
        Assert.Equal("aws", SpotHedge.ChooseOnDemand([.. options.Select(o => o with { Rank = 0 })])!.Location.Cloud); // price alone
        Assert.Equal(Gcp, LaunchedAt(spec, options).Single());
    }

    [Fact]
    public void On_demand_falls_back_to_the_next_ordered_location_while_the_first_is_unavailable()
    {
        var spec = Parse(GcpThenAws);
        var options = OptionsFor(spec, L4Offerings, unavailable: Gcp);
        Assert.Equal(AwsA, LaunchedAt(spec, options).Single());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("dynamic_fallback")]
    [InlineData("hedge_plus")]
    public void Spot_goes_to_the_first_ordered_location_with_every_placer(string? placer)
    {
        var spec = Parse("  use_spot: true\n" + GcpThenAws, placer);
        var options = OptionsFor(spec, L4Offerings);
        Assert.All(SpotLaunchedAt(spec, options), at => Assert.Equal(Gcp, at));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("dynamic_fallback")]
    [InlineData("hedge_plus")]
    public void Spot_falls_back_to_the_next_ordered_location_when_the_first_refuses(string? placer)
    {
        var spec = Parse("  use_spot: true\n" + GcpThenAws, placer);
        var options = OptionsFor(spec, L4Offerings, unavailable: Gcp);
        Assert.All(SpotLaunchedAt(spec, options), at => Assert.Equal("aws", at.Cloud));
    }

    [Theory]
    [InlineData("dynamic_fallback")]
    [InlineData("hedge_plus")]
    public void Spot_falls_back_to_the_next_ordered_location_while_the_first_is_preempted(string placer)
    {
        var spec = Parse("  use_spot: true\n" + GcpThenAws, placer);
        var options = OptionsFor(spec, L4Offerings);
        var preempted = new LocationState(Gcp, LocationStatus.Preempted, 1, T0);
        Assert.All(SpotLaunchedAt(spec, options, [preempted, LocationState.ActiveAt(AwsA), LocationState.ActiveAt(AwsB)]), at => Assert.Equal("aws", at.Cloud));
    }

    [Fact]
    public void Dynamic_fallback_spreads_within_the_preferred_location_and_leaves_it_only_when_it_is_unavailable()
    {
        // aws first now, and gcp far cheaper: aws's two zones take the first two replicas, and a third doubles up there.
        var spec = Parse("  use_spot: true\n  accelerators: L4:1\n  ordered:\n    - infra: aws/us-east-1\n    - infra: gcp/us-central1\n", "dynamic_fallback");
        var options = OptionsFor(spec, [.. L4Offerings.Select(o => o.Cloud == "gcp" ? o with { SpotPerHour = 0.10m } : o)]);
        Assert.Equal(AwsA, SpotHedge.ChooseSpot(options, [], [], SpotPlacer.DynamicFallback)!.Location);
        Assert.Equal(AwsB, SpotHedge.ChooseSpot(options, [], [AwsA], SpotPlacer.DynamicFallback)!.Location);
        Assert.Equal(AwsA, SpotHedge.ChooseSpot(options, [], [AwsA, AwsB], SpotPlacer.DynamicFallback)!.Location);
        var preempted = new[] { new LocationState(AwsA, LocationStatus.Preempted, 1, T0), new LocationState(AwsB, LocationStatus.Preempted, 1, T0) };
        Assert.Equal(Gcp, SpotHedge.ChooseSpot(options, preempted, [AwsA, AwsB], SpotPlacer.DynamicFallback)!.Location);
    }

    [Fact]
    public void An_accelerator_list_prefers_its_first_accelerator_though_the_next_is_cheaper()
    {
        var offerings = new[]
        {
            Offering(AwsA, "p4d.24xlarge", "A100", onDemand: 3.00m, spot: 1.50m),
            L4(AwsA, "g6.xlarge", onDemand: 0.80m, spot: 0.30m),
        };
        var ordered = Parse("  infra: aws/us-east-1\n  accelerators: [A100:1, L4:1]\n");
        Assert.Equal("A100", LaunchedOptions(ordered, OptionsFor(ordered, offerings)).Single().Accelerator);
        // The set form is no preference: price decides.
        var set = Parse("  infra: aws/us-east-1\n  accelerators: {A100: 1, L4: 1}\n");
        Assert.Equal("L4", LaunchedOptions(set, OptionsFor(set, offerings)).Single().Accelerator);
        // A100 refused: L4, the next in the list.
        var refused = OptionsFor(ordered, offerings, unavailable: AwsA, accelerator: "A100");
        Assert.Equal("L4", LaunchedOptions(ordered, refused).Single().Accelerator);
    }

    [Fact]
    public void Ranks_follow_the_entries_and_are_all_zero_without_an_order()
    {
        var ordered = Parse(GcpThenAws).Resources;
        Assert.Equal(new[] { 0, 1, 1 }, L4Offerings.Select(o => PreferenceRank.Of(ordered, o)));
        var anyOf = Parse("  accelerators: L4:1\n  any_of:\n    - infra: gcp/us-central1\n    - infra: aws/us-east-1\n").Resources;
        Assert.All(L4Offerings, o => Assert.Equal(0, PreferenceRank.Of(anyOf, o)));
        var list = Parse("  accelerators: [L4:1, A100:1]\n").Resources;
        Assert.Equal(1, PreferenceRank.Of(list, Offering(AwsA, "p4d.24xlarge", "A100", 3.00m, 1.50m)));
        Assert.Equal(0, PreferenceRank.Of(list, L4Offerings[1]));
    }

    private static IReadOnlyList<Location> LaunchedAt(ServiceSpec spec, IReadOnlyList<PlacementOption> options, IReadOnlyList<LocationState>? states = null) =>
        [.. LaunchedOptions(spec, options, states).Select(option => option.Location)];

    /// <summary>The spot launches of the plan, at least one.</summary>
    private static IReadOnlyList<Location> SpotLaunchedAt(ServiceSpec spec, IReadOnlyList<PlacementOption> options, IReadOnlyList<LocationState>? states = null)
    {
        var launches = ServicePlanner.Plan(Snapshot(spec, [], states, options)).Launches.Where(launch => launch.IsSpot).ToList();
        Assert.NotEmpty(launches);
        return [.. launches.Select(launch => launch.Option.Location)];
    }

    private static IReadOnlyList<PlacementOption> LaunchedOptions(ServiceSpec spec, IReadOnlyList<PlacementOption> options, IReadOnlyList<LocationState>? states = null) =>
        [.. ServicePlanner.Plan(Snapshot(spec, [], states, options)).Launches.Select(launch => launch.Option)];

    /// <summary>What the controller's PlacementOptions builds: the spec resolved against the offerings, each ranked.</summary>
    private static IReadOnlyList<PlacementOption> OptionsFor(ServiceSpec spec, IReadOnlyList<InstanceOffering> offerings, Location? unavailable = null, string? accelerator = null)
    {
        var resolved = ResourceResolver.Resolve(spec.Resources, new CloudCatalog(offerings));
        Assert.True(resolved.Found, resolved.Error);
        return [.. resolved.Offerings.Select(o =>
        {
            var location = new Location(o.Cloud, o.Region, o.Zone);
            var available = location != unavailable || (accelerator is not null && accelerator != o.AcceleratorName);
            return new PlacementOption(location, o.InstanceType, o.AcceleratorName, o.OnDemandPerHour, o.SpotPerHour,
                SpotAvailable: available, Rank: PreferenceRank.Of(spec.Resources, o), OnDemandAvailable: available);
        })];
    }

    private static ServiceSpec Parse(string resourceLines, string? placer = null) =>
        ServiceSpecParser.Parse("service:\n  readiness_probe: /\n  replica_policy:\n    min_replicas: 1\n"
            + (placer is null ? "" : $"    spot_placer: {placer}\n")
            + "resources:\n  ports: 8080\n" + resourceLines);

    private static InstanceOffering L4(Location at, string type, decimal onDemand, decimal spot) => Offering(at, type, "L4", onDemand, spot);

    private static InstanceOffering Offering(Location at, string type, string accelerator, decimal onDemand, decimal spot) =>
        new(at.Cloud, at.Region, at.Zone, type, accelerator, 1, 24, 4, 16, onDemand, spot);
}
