namespace SkyServe.Core.Simulation.Optimum;

public enum SolverStatus
{
    /// <summary>Proven optimal.</summary>
    Optimal,
    /// <summary>Stopped by the time limit with a feasible solution that is not proven optimal.</summary>
    Feasible,
    /// <summary>No solution: infeasible, or stopped before finding one.</summary>
    NoSolution,
}
