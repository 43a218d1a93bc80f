namespace SkyServe.Core.Simulation;

/// <summary>A replica in the simulated fleet.</summary>
/// <param name="Zone">Index of its zone in the run's zone order; <see cref="OnDemandZone"/> for on-demand replicas.</param>
/// <param name="LaunchTick">The tick its launch was granted; it is READY from <c>LaunchTick + d</c> on.</param>
/// <param name="NoticeDeadline">Set once an interruption notice announced its preemption at that tick.</param>
public sealed record SimReplica(int Id, int Zone, int LaunchTick, int? NoticeDeadline = null)
{
    public const int OnDemandZone = -1;

    public bool IsSpot => Zone != OnDemandZone;

    /// <summary>READY at <paramref name="tick"/>: alive for at least <paramref name="coldStartTicks"/> ticks.</summary>
    public bool IsReadyAt(int tick, int coldStartTicks) => tick - LaunchTick >= coldStartTicks;
}
