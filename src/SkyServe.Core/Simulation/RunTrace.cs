namespace SkyServe.Core.Simulation;

/// <summary>What one run did, tick by tick (index = tick).</summary>
/// <param name="Ready">READY replicas (spot and on-demand) at the end of each tick.</param>
/// <param name="Spot">Spot replicas alive (granted, ready or not) at the end of each tick.</param>
/// <param name="OnDemand">On-demand replicas alive at the end of each tick.</param>
/// <param name="FailedLaunches">Spot launches refused for capacity.</param>
/// <param name="Preemptions">Spot replicas taken away by their zone.</param>
public sealed record RunTrace(int[] Ready, int[] Spot, int[] OnDemand, int FailedLaunches, int Preemptions, int ColdStartTicks)
{
    public int Ticks => Ready.Length;

    /// <summary>READY counts over the measured ticks (<c>d .. T − 1</c>), which also drive the request model.</summary>
    public IReadOnlyList<int> MeasuredReady => Ready[ColdStartTicks..];
}
