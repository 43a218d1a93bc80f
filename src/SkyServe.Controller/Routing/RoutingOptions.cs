namespace SkyServe.Controller.Routing;

/// <summary>Timings of the routing table, section "SkyServe:Routing".</summary>
public sealed record RoutingOptions
{
    /// <summary>
    /// Every service is recomputed at least this often, whatever the change notices said: a safety net for a change
    /// nobody announced (a write by hand, a notice lost with a connection). Changes made through any controller reach
    /// the table at once.
    /// </summary>
    public TimeSpan FullRecomputeInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a removed service is remembered, so that a load balancer asking for the changes since an older revision
    /// learns of the removal; one asking from before that gets the whole table instead.
    /// </summary>
    public TimeSpan KeepRemovedFor { get; init; } = TimeSpan.FromMinutes(10);
}
