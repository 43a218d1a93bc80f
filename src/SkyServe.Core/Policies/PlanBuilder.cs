namespace SkyServe.Core.Policies;

/// <summary>Collects one planning pass's decisions, so that no replica is decided about twice.</summary>
internal sealed class PlanBuilder
{
    private readonly List<LaunchDecision> launches = [];
    private readonly List<TerminateDecision> terminations = [];
    private readonly HashSet<int> terminated = [];

    public IReadOnlyList<LaunchDecision> Launches => launches;

    public IReadOnlyList<TerminateDecision> Terminations => terminations;

    public void Launch(LaunchDecision launch) => launches.Add(launch);

    /// <summary>Ignores replicas already on their way out and replicas already decided about.</summary>
    public void Terminate(ReplicaSnapshot replica, string reason)
    {
        if (ScaleDownOrder.CanBeTerminated(replica) && terminated.Add(replica.ReplicaId))
            terminations.Add(new TerminateDecision(replica.ReplicaId, reason));
    }

    public bool IsTerminated(ReplicaSnapshot replica) => terminated.Contains(replica.ReplicaId);
}
