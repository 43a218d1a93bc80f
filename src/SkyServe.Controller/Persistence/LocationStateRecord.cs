namespace SkyServe.Controller.Persistence;

/// <summary>SpotHedge's view of one candidate location for one service (DESIGN.md section 6).</summary>
public sealed class LocationStateRecord : IConcurrencyStamped
{
    public long Id { get; set; }
    public long ServiceId { get; set; }
    public required string Cloud { get; set; }
    public string Region { get; set; } = "";
    public string Zone { get; set; } = "";
    /// <summary>ACTIVE or PREEMPTED.</summary>
    public required string State { get; set; }
    public int Preemptions { get; set; }
    public DateTime? LastPreemptedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public Guid ConcurrencyStamp { get; set; }
}
