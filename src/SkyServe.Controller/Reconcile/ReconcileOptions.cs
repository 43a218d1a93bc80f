namespace SkyServe.Controller.Reconcile;

/// <summary>Timings of the reconcile loop. Every number here is configuration, section "SkyServe:Reconcile".</summary>
public sealed record ReconcileOptions
{
    /// <summary>Off: the controller only serves the API (tests of the API and storage alone).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// Every service is reconciled at least this often (the resync); changes, probe transitions, notices and launch
    /// results enqueue their service at once, and a service with replicas in transition is looked at every <see cref="BusyInterval"/>.
    /// </summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>How soon a service with replicas starting, stopping or under notice, or a pending scaling decision, is looked at again.</summary>
    public TimeSpan BusyInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Services reconciled at the same time, by that many workers (one service is never reconciled by two at once).</summary>
    public int Workers { get; init; } = 8;
    /// <summary>How often each replica's readiness probe runs (outside the reconcile of its service; transitions enqueue it).</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Probes in flight at most, over every replica of every service.</summary>
    public int MaxConcurrentProbes { get; init; } = 256;
    /// <summary>How often machine state is listed from each provider (one tag-filtered list, shared by every service).</summary>
    public TimeSpan MachineListInterval { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>The reconcile lease is renewed this often by its holder.</summary>
    public TimeSpan LeaseRenewal { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>A holder whose last renewal is older than this stops acting; on SQLite another may then take the lease.</summary>
    public TimeSpan LeaseTtl { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Launches in flight per service at most; more wait for the next pass.</summary>
    public int MaxLaunchesInFlight { get; init; } = 8;
    /// <summary>How long a replica that was READY may fail its probe (NOT_READY) before it is replaced.</summary>
    public TimeSpan NotReadyGrace { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>First wait after a launch failure that is not about capacity; doubles up to <see cref="MaxLaunchBackoff"/>.</summary>
    public TimeSpan LaunchBackoff { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan MaxLaunchBackoff { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>Failed and preempted replica rows stay visible this long (their events stay for good).</summary>
    public TimeSpan KeepEndedReplicas { get; init; } = TimeSpan.FromHours(1);
    /// <summary>The sliding window over which offered load (requests per second) is measured.</summary>
    public TimeSpan QpsWindow { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Pretend model-loading time for replicas of the local runtime.</summary>
    public TimeSpan LocalReadyDelay { get; init; } = TimeSpan.Zero;

    // A resync shorter than these (tests, small deployments) makes them as short: nothing waits longer than a resync would.
    public TimeSpan EffectiveBusyInterval => Min(BusyInterval, Interval);
    public TimeSpan EffectiveProbeInterval => Min(ProbeInterval, Interval);
    public TimeSpan EffectiveMachineListInterval => Min(MachineListInterval, Interval);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
