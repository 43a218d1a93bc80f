namespace SkyServe.Controller.Persistence;

/// <summary>
/// A worker machine of a multi-node replica (rank 1..N-1), kept in its replica's row (<see cref="ReplicaRecord.WorkerNodes"/>);
/// the head (rank 0) is the row's own <see cref="ReplicaRecord.InstanceId"/>, <see cref="ReplicaRecord.LaunchToken"/> and
/// <see cref="ReplicaRecord.Endpoint"/>. Recorded with its token before the launch, like the head.
/// </summary>
public sealed record ReplicaNode
{
    public int Rank { get; init; }
    /// <summary>Derived from the replica's (<see cref="Core.Policies.NodeGang.TokenFor"/>).</summary>
    public Guid LaunchToken { get; init; }
    /// <summary>The provider's machine id, once launched; null again once it is gone.</summary>
    public string? InstanceId { get; init; }
    /// <summary>Where its agent answers (http://host:port), once known: its host is the node's address.</summary>
    public string? Endpoint { get; init; }
}
