using SkyServe.Core.Domain;

namespace SkyServe.Controller.Persistence;

public sealed class ServiceRecord : IConcurrencyStamped
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public ServiceStatus Status { get; set; }
    /// <summary>The version that new replicas are launched with.</summary>
    public int CurrentVersion { get; set; }
    /// <summary>Per-service replica ids count up from 1 and are never reused.</summary>
    public int NextReplicaId { get; set; } = 1;
    /// <summary>The public endpoint, once a load balancer serves the service.</summary>
    public string? Endpoint { get; set; }
    /// <summary>The service's own endpoint port (unique among services), where load balancers with service ports serve it alone.</summary>
    public int? EndpointPort { get; set; }
    /// <summary>Dollars spent on replicas that no longer exist, so the service's cost survives their rows.</summary>
    public decimal RetiredCost { get; set; }
    /// <summary>
    /// What the planner decided last, kept here (not in one controller's memory) so that whichever controller reconciles
    /// next, after a failover too, routes the same versions and scales from the same autoscaler state.
    /// Comma-separated versions receiving traffic; null before the first plan.
    /// </summary>
    public string? ServingVersions { get; set; }
    public int? AutoscalerTarget { get; set; }
    public int? AutoscalerPendingTarget { get; set; }
    public DateTime? AutoscalerPendingSince { get; set; }
    /// <summary>Launch failures in a row that were not about capacity, and when the next launch may be tried.</summary>
    public int LaunchFailures { get; set; }
    public DateTime? LaunchNotBefore { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public Guid ConcurrencyStamp { get; set; }

    public List<ServiceVersionRecord> Versions { get; set; } = [];
    public List<ReplicaRecord> Replicas { get; set; } = [];
}
