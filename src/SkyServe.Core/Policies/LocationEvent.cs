namespace SkyServe.Core.Policies;

/// <summary>What happened to a service's spot replicas in one location, as SpotHedge's location states learn it.</summary>
public enum LocationEvent
{
    /// <summary>A spot replica there was reclaimed (or announced to be): PREEMPTED, counted, time stamped.</summary>
    Preempted,
    /// <summary>A spot launch there was refused for capacity: PREEMPTED, not counted as a preemption.</summary>
    LaunchFailed,
    /// <summary>A spot launch there succeeded: ACTIVE.</summary>
    Launched,
    /// <summary>
    /// Every spot replica asked for there is still held (no loss, no refusal): ACTIVE. The SpotHedge artifact's
    /// reading of Algorithm 1 (a location that got all of a positive request is ACTIVE again); the controller does not
    /// report it, so there a location comes back only through a launch or the reset rule.
    /// </summary>
    Held,
}
