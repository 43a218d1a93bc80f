using System.Text.Json.Nodes;

namespace SkyServe.Controller.Api;

// The API's response bodies. Property names go out in snake_case (see ControllerHost's JSON options).

public sealed record ServiceSummaryView(
    string Name, string Status, int Version, string? Endpoint, int ReadyReplicas, int Replicas,
    DateTime CreatedAt, DateTime UpdatedAt, int SpotReplicas, int OnDemandReplicas);

/// <summary>The whole fleet: <c>GET /api/v1/summary</c>.</summary>
/// <param name="PricesFrom">Where the on-demand counterfactual's prices come from.</param>
public sealed record FleetSummaryView(
    int Services, int Replicas, int ReadyReplicas, int SpotReplicas, int OnDemandReplicas, CostView Cost,
    IReadOnlyList<ServiceCostView> ByService, string PricesFrom, DateTime At);

/// <summary>One service's line of the fleet summary.</summary>
/// <param name="RequestsPerSecond">Offered load over the autoscaler's window, from the load balancers' reports.</param>
public sealed record ServiceCostView(string Name, int Replicas, int ReadyReplicas, int SpotReplicas, int OnDemandReplicas, CostView Cost,
    double RequestsPerSecond);

public sealed record ServiceDetailView(
    string Name, string Status, int Version, string? Endpoint, DateTime CreatedAt, DateTime UpdatedAt, CostView Cost,
    double RequestsPerSecond, JsonNode? Spec, IReadOnlyList<VersionView> Versions, IReadOnlyList<ReplicaView> Replicas);

public sealed record VersionView(
    int Version, string Mode, DateTime CreatedAt, int MinReplicas, int MaxReplicas, bool UseSpot,
    string? SpotPlacer, string LoadBalancingPolicy, int? ReplicaPort, string ReadinessPath, string SpecText);

public sealed record ReplicaView(
    int ReplicaId, int Version, string Status, string Location, string Cloud, string Region, string Zone, bool IsSpot,
    string? InstanceType, string? Accelerator, string? InstanceId, string? Endpoint, decimal? HourlyPrice, decimal CostToDate,
    DateTime? NoticeDeadline, DateTime CreatedAt, DateTime StatusChangedAt, DateTime? ReadyAt, int NumNodes, IReadOnlyList<NodeView> Nodes);

/// <summary>One machine of a replica: rank 0 is the head (the replica's own machine and endpoint), 1..N-1 its workers.</summary>
public sealed record NodeView(int Rank, string? InstanceId, string? Endpoint);

public sealed record EventView(long Id, DateTime At, int? ReplicaId, string? FromStatus, string ToStatus, string Reason);

public sealed record DeleteResultView(string Name, bool Deleted, string Status);

/// <summary>Dollars (USD), computed on read (<see cref="Reconcile.CostAccounting"/>).</summary>
/// <param name="Spot">Spent so far on spot replicas whose rows are still kept.</param>
/// <param name="OnDemand">Spent so far on on-demand replicas whose rows are still kept.</param>
/// <param name="Total">Spent so far, replicas that are gone included.</param>
/// <param name="PerHour">What the replicas running now cost per hour.</param>
/// <param name="OnDemandEquivalent">The counterfactual: the same replica-hours at the on-demand price of the same instance type and region.</param>
/// <param name="OnDemandEquivalentPerHour">The counterfactual of <paramref name="PerHour"/>.</param>
/// <param name="Saving">OnDemandEquivalent - Total.</param>
/// <param name="SavingPercent">Saving as a percentage of OnDemandEquivalent.</param>
public sealed record CostView(decimal Spot, decimal OnDemand, decimal Total, decimal PerHour, decimal OnDemandEquivalent,
    decimal OnDemandEquivalentPerHour, decimal Saving, decimal SavingPercent)
{
    public static CostView From(Reconcile.CostFigures f) => new(
        Math.Round(f.Spot, 6), Math.Round(f.OnDemand, 6), Math.Round(f.Total, 6), f.PerHour, Math.Round(f.OnDemandEquivalent, 6),
        f.OnDemandEquivalentPerHour, Math.Round(f.Saving, 6), f.SavingPercent);
}
