namespace SkyServe.Core.Simulation.Optimum;

/// <summary>What the solver returned: its status line, the objective and the non-zero variables.</summary>
public sealed record IntegerProgramSolution(SolverStatus Status, double Objective, IReadOnlyDictionary<string, double> Values, string StatusLine, TimeSpan Elapsed);
