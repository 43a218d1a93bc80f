namespace SkyServe.Core.Simulation;

/// <summary>
/// What a policy sees at the start of a tick: the replicas alive after the previous tick, whose READY state is the one
/// observed at the end of that tick (a decision at tick <c>t</c> uses what was known at <c>t − 1</c>, as in the paper's simulator).
/// </summary>
public sealed record FleetView(int Tick, int ColdStartTicks, int Zones, IReadOnlyList<SimReplica> Replicas)
{
    /// <summary>READY as last observed (at the end of the previous tick).</summary>
    public bool IsReady(SimReplica replica) => replica.IsReadyAt(Tick - 1, ColdStartTicks);

    public int SpotIn(int zone) => Replicas.Count(replica => replica.Zone == zone);
}
