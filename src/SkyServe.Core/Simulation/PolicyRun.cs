namespace SkyServe.Core.Simulation;

/// <summary>One policy on one repeat.</summary>
public sealed record PolicyRun(SimPolicy Policy, RunWindow Window, RunTrace Trace, RunScore Score, LatencySummary Latency);
