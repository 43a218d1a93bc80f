namespace SkyServe.Controller.Persistence;

/// <summary>An append-only log line: a status transition of the service or of one of its replicas.</summary>
public sealed class ServiceEventRecord
{
    public long Id { get; set; }
    public long ServiceId { get; set; }
    /// <summary>Null for service-level events.</summary>
    public int? ReplicaId { get; set; }
    public DateTime At { get; set; }
    public string? FromStatus { get; set; }
    public required string ToStatus { get; set; }
    public required string Reason { get; set; }
}
