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

    /// <summary>
    /// Each service gets the lowest free port of this range as its own endpoint port (SkyPilot's 30001 and up), where
    /// load balancers started with --service-ports serve it alone. Below the load balancer's 30581 and the local agents' 30600+.
    /// </summary>
    public int FirstServicePort { get; init; } = 30001;

    public int LastServicePort { get; init; } = 30500;
}
