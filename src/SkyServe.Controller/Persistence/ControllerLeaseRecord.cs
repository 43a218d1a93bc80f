namespace SkyServe.Controller.Persistence;

/// <summary>
/// A named lease that one controller holds at a time (the reconcile leadership). Its generation grows by one at every
/// change of hands: writes and acts of the holder are checked against it, so a controller that lost the lease without
/// knowing it yet is refused (<see cref="FencedWrites"/>).
/// </summary>
public sealed class ControllerLeaseRecord
{
    public required string Name { get; set; }
    public required string Owner { get; set; }
    public long Generation { get; set; }
    public DateTime AcquiredAt { get; set; }
    /// <summary>The holder renews it while it can reach the database; a holder whose renewal lapses stops acting.</summary>
    public DateTime RenewedAt { get; set; }
}
