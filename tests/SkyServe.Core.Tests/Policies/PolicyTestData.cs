using SkyServe.Core.Domain;
using SkyServe.Core.Policies;
using SkyServe.Core.Spec;

namespace SkyServe.Core.Tests.Policies;

/// <summary>Small hand-built inputs for the policy tests: three zones priced A &lt; B &lt; C (spot), a fourth D.</summary>
internal static class PolicyTestData
{
    public static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly Location ZoneA = new("aws", "us-east-1", "us-east-1a");
    public static readonly Location ZoneB = new("aws", "us-east-1", "us-east-1b");
    public static readonly Location ZoneC = new("aws", "us-west-2", "us-west-2a");
    public static readonly Location ZoneD = new("gcp", "us-central1", "us-central1-a");

    public static readonly PlacementOption OptionA = Option(ZoneA, spot: 1.0m, onDemand: 3.0m);
    public static readonly PlacementOption OptionB = Option(ZoneB, spot: 1.1m, onDemand: 3.2m);
    public static readonly PlacementOption OptionC = Option(ZoneC, spot: 1.2m, onDemand: 3.1m);
    public static readonly PlacementOption OptionD = Option(ZoneD, spot: 1.3m, onDemand: 3.3m);

    public static IReadOnlyList<PlacementOption> ThreeZones { get; } = [OptionA, OptionB, OptionC];

    public static PlacementOption Option(Location location, decimal? spot, decimal onDemand = 3.0m, bool spotAvailable = true, string instanceType = "g5.xlarge") =>
        new(location, instanceType, "A10G", onDemand, spot, spotAvailable);

    public static ReplicaSnapshot Replica(
        int id,
        ReplicaStatus status,
        bool spot = true,
        Location? at = null,
        int version = 1,
        string? accelerator = "A10G",
        DateTimeOffset? notice = null) =>
        new(id, version, status, spot, at ?? ZoneA, accelerator, T0.AddMinutes(-60 + id), notice);

    /// <summary>SpotHedge as the paper runs it: <c>replicas: N</c>, one spot replica over the target, dynamic on-demand fallback.</summary>
    public static ReplicaPolicySpec SpotHedgePolicy(int replicas, int overprovision = 1) => new()
    {
        MinReplicas = replicas,
        MaxReplicas = replicas,
        NumOverprovision = overprovision,
        DynamicOndemandFallback = true,
        SpotPlacer = SpotPlacer.DynamicFallback,
    };

    public static ReplicaPolicySpec FixedPolicy(int replicas) => new() { MinReplicas = replicas, MaxReplicas = replicas };

    public static ServiceSpec ServiceWith(ReplicaPolicySpec policy, bool useSpot) => new()
    {
        Service = new ServiceSection { ReplicaPolicy = policy, FixedReplicas = !policy.AutoscalingEnabled },
        Resources = new ResourcesSpec { UseSpot = useSpot },
    };

    public static ServiceSnapshot Snapshot(
        ServiceSpec spec,
        IReadOnlyList<ReplicaSnapshot> replicas,
        IReadOnlyList<LocationState>? locations = null,
        IReadOnlyList<PlacementOption>? options = null,
        int currentVersion = 1,
        UpdateMode mode = UpdateMode.Rolling,
        AutoscalerState? autoscaler = null,
        double requestsPerSecond = 0) =>
        new(spec, currentVersion, mode, replicas, locations ?? [], options ?? ThreeZones, requestsPerSecond,
            autoscaler ?? AutoscalerState.Initial(spec.Service.ReplicaPolicy.MinReplicas), T0);
}
