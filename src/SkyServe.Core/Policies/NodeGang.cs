using System.Security.Cryptography;
using System.Text;

namespace SkyServe.Core.Policies;

/// <summary>
/// The rules of a multi-node replica (the spec's <c>num_nodes</c>): its machines are launched together and live and
/// die together. Rank 0 is the head, whose endpoint serves; ranks 1..N-1 are the workers.
/// </summary>
public static class NodeGang
{
    /// <summary>
    /// The idempotency token of the node of <paramref name="rank"/>: the replica's own for the head (so a single-node
    /// replica launches as it always did), and for a worker one derived from it, so that a retried launch — after a
    /// crash, on another controller — asks for the very same machines and never yields extra ones.
    /// </summary>
    public static Guid TokenFor(Guid replicaToken, int rank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        if (rank == 0)
            return replicaToken;
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"skyserve-node:{replicaToken:N}:{rank}"), hash);
        return new Guid(hash[..16]);
    }

    /// <summary>The workers' ranks of a replica of <paramref name="numNodes"/> nodes (none for a single node).</summary>
    public static IReadOnlyList<int> WorkerRanks(int numNodes) => numNodes > 1 ? Enumerable.Range(1, numNodes - 1).ToList() : [];

    /// <summary>
    /// All or nothing: the replica launched only when every node did. The lowest rank that failed (its error becomes the
    /// replica's), or null when all launched.
    /// </summary>
    public static int? FailedRank(IReadOnlyList<(int Rank, bool Launched)> nodes) =>
        nodes.Where(n => !n.Launched).Select(n => (int?)n.Rank).Min();

    /// <summary>Losing any node loses the replica: the lowest rank whose machine is gone, or null while all are there.</summary>
    public static int? LostRank(IReadOnlyList<(int Rank, bool Gone)> nodes) =>
        nodes.Where(n => n.Gone).Select(n => (int?)n.Rank).Min();
}
