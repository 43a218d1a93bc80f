namespace SkyServe.Controller.Reconcile;

/// <summary>Timings of the reconcile loop. Every number here is configuration, section "SkyServe:Reconcile".</summary>
public sealed record ReconcileOptions
{
    /// <summary>Off: the controller only serves the API (tests of the API and storage alone).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>A pass over every service at least this often (changes and notices trigger one at once).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);
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
}
