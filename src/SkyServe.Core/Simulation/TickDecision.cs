namespace SkyServe.Core.Simulation;

/// <summary>What a policy wants done at one tick.</summary>
/// <param name="SpotLaunches">The zone of each spot launch, in order.</param>
/// <param name="OnDemandLaunches">On-demand launches (they always succeed).</param>
/// <param name="Terminations">Ids of replicas to terminate first.</param>
public sealed record TickDecision(IReadOnlyList<int> SpotLaunches, int OnDemandLaunches, IReadOnlyList<int> Terminations)
{
    public static TickDecision None { get; } = new([], 0, []);
}
