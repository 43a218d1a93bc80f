namespace SkyServe.Core.Simulation;

/// <summary>
/// The paper's scores of a run, over ticks <c>d .. T − 1</c> (nothing can be READY before <c>d</c>): availability is
/// the share of ticks with at least N_tar READY replicas; cost is spot replica-ticks plus k × on-demand ones, ready or
/// not, relative to N_tar on-demand replicas over the same ticks.
/// </summary>
public sealed record RunScore(double Availability, double RelativeCost, int FailedLaunches, int Preemptions)
{
    public static RunScore Of(RunTrace trace, int targetReplicas, double onDemandCost)
    {
        var d = trace.ColdStartTicks;
        var measured = trace.Ticks - d;
        var available = 0;
        var cost = 0.0;
        for (var t = d; t < trace.Ticks; t++)
        {
            if (trace.Ready[t] >= targetReplicas)
                available++;
            cost += trace.Spot[t] + onDemandCost * trace.OnDemand[t];
        }
        return new RunScore((double)available / measured, cost / (targetReplicas * onDemandCost * measured), trace.FailedLaunches, trace.Preemptions);
    }
}
