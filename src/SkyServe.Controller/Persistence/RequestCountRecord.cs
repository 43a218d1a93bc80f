namespace SkyServe.Controller.Persistence;

/// <summary>
/// Requests a load balancer counted for a service during one second, as posted. Rows are summed over the autoscaler's
/// window, so any controller computes the same rate, whichever of them the load balancers posted to.
/// </summary>
public sealed class RequestCountRecord
{
    public long Id { get; set; }
    public long ServiceId { get; set; }
    public DateTime At { get; set; }
    public double Requests { get; set; }
}
