namespace SkyServe.Core.Simulation;

/// <summary>Baseline: N_tar on-demand replicas, launched at once and kept.</summary>
public sealed class OnDemandPolicy(int targetReplicas) : ISimulatedPolicy
{
    public TickDecision Decide(FleetView view)
    {
        var missing = targetReplicas - view.Replicas.Count(replica => !replica.IsSpot);
        return missing > 0 ? new TickDecision([], missing, []) : TickDecision.None;
    }

    public void Observe(TickOutcome outcome)
    {
    }
}
