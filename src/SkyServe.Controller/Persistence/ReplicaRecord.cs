using SkyServe.Core.Domain;

namespace SkyServe.Controller.Persistence;

public sealed class ReplicaRecord : IConcurrencyStamped
{
    public long Id { get; set; }
    public long ServiceId { get; set; }
    /// <summary>The id users see: unique within the service.</summary>
    public int ReplicaId { get; set; }
    public int Version { get; set; }
    public ReplicaStatus Status { get; set; }
    public bool IsSpot { get; set; }
    public string Cloud { get; set; } = "";
    public string Region { get; set; } = "";
    public string Zone { get; set; } = "";
    public string? InstanceType { get; set; }
    /// <summary>The provider's machine id, once launched.</summary>
    public string? InstanceId { get; set; }
    /// <summary>Idempotency token of the launch: a retried launch never yields a second machine.</summary>
    public Guid LaunchToken { get; set; }
    public string? Endpoint { get; set; }
    public decimal? HourlyPrice { get; set; }
    /// <summary>The accelerator of its instance type (e.g. L4), for instance-aware scaling and routing.</summary>
    public string? Accelerator { get; set; }
    /// <summary>Set when the cloud announced it will reclaim the machine at this moment.</summary>
    public DateTime? NoticeDeadline { get; set; }
    /// <summary>Unused since costs are computed on read (<c>Reconcile/CostAccounting.cs</c>); kept so that older controllers sharing the database still read it.</summary>
    public decimal CostToDate { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime StatusChangedAt { get; set; }
    public DateTime? ReadyAt { get; set; }
    public Guid ConcurrencyStamp { get; set; }

    /// <summary>
    /// The worker nodes of a multi-node replica (the spec's <c>num_nodes</c> above 1), by rank; null for a single-node
    /// one. Stored as JSON (column <c>worker_nodes</c>); replace the list to change it.
    /// </summary>
    public IReadOnlyList<ReplicaNode>? WorkerNodes { get; set; }

    /// <summary>How many machines the replica has: the head and its workers.</summary>
    public int NodeCount => 1 + (WorkerNodes?.Count ?? 0);

    /// <summary>Every machine of the replica still to be cleaned up: the head's and the workers'.</summary>
    public IReadOnlyList<string> MachineIds =>
        [.. InstanceId is { } head ? [head] : Array.Empty<string>(), .. WorkerNodes?.Where(n => n.InstanceId is not null).Select(n => n.InstanceId!) ?? []];

    /// <summary>Whether <paramref name="machineId"/> is one of its nodes' machines.</summary>
    public bool HasMachine(string machineId) => MachineIds.Contains(machineId);
}
