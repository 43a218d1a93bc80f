namespace SkyServe.Core.Simulation;

/// <summary>How the market and the location states behave (README, Evaluation).</summary>
public enum SimulationModel
{
    /// <summary>
    /// The SpotHedge paper's simulator (traces/README.md): when a zone's capacity falls below the replicas there, the
    /// youngest go first (so READY counts are the minimum of the granted counts over the cold-start window); a
    /// location's state changes once per tick from what it got (less than asked: PREEMPTED; all of a positive ask:
    /// ACTIVE), then the reset rule runs once; the artifact's reset rule.
    /// </summary>
    Parity,

    /// <summary>
    /// What the controller does: a capacity drop takes random victims; location states change per event as the
    /// reconciler reports them (each preemption, refused launch and successful launch), with SkyPilot's reset rule;
    /// a location holding replicas does not become ACTIVE again by merely keeping them.
    /// </summary>
    Controller,
}
