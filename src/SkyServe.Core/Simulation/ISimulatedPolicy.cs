namespace SkyServe.Core.Simulation;

/// <summary>
/// A policy as the simulator drives it, one instance per run: a decision per tick, then what the tick did. The
/// production policies are adapted by <see cref="PlannerPolicy"/>, which calls the controller's
/// <see cref="Policies.ServicePlanner"/>; the others are baselines that exist only here.
/// </summary>
public interface ISimulatedPolicy
{
    TickDecision Decide(FleetView view);

    void Observe(TickOutcome outcome);
}
