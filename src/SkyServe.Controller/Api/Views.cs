using System.Text.Json.Nodes;

namespace SkyServe.Controller.Api;

// The API's response bodies. Property names go out in snake_case (see ControllerHost's JSON options).

public sealed record ServiceSummaryView(
    string Name, string Status, int Version, string? Endpoint, int ReadyReplicas, int Replicas,
    DateTime CreatedAt, DateTime UpdatedAt);

public sealed record ServiceDetailView(
    string Name, string Status, int Version, string? Endpoint, DateTime CreatedAt, DateTime UpdatedAt, CostView Cost,
    JsonNode? Spec, IReadOnlyList<VersionView> Versions, IReadOnlyList<ReplicaView> Replicas);

public sealed record VersionView(
    int Version, string Mode, DateTime CreatedAt, int MinReplicas, int MaxReplicas, bool UseSpot,
    string? SpotPlacer, string LoadBalancingPolicy, int? ReplicaPort, string ReadinessPath, string SpecText);

public sealed record ReplicaView(
    int ReplicaId, int Version, string Status, string Location, string Cloud, string Region, string Zone, bool IsSpot,
    string? InstanceType, string? Accelerator, string? InstanceId, string? Endpoint, decimal? HourlyPrice, decimal CostToDate,
    DateTime? NoticeDeadline, DateTime CreatedAt, DateTime StatusChangedAt, DateTime? ReadyAt);

public sealed record EventView(long Id, DateTime At, int? ReplicaId, string? FromStatus, string ToStatus, string Reason);

public sealed record DeleteResultView(string Name, bool Deleted, string Status);

/// <param name="Total">Dollars spent so far, replicas that are gone included.</param>
public sealed record CostView(decimal Spot, decimal OnDemand, decimal Total);
