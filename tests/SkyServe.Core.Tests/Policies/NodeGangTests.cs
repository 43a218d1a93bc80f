using SkyServe.Core.Policies;

namespace SkyServe.Core.Tests.Policies;

public sealed class NodeGangTests
{
    [Fact]
    public void The_head_keeps_the_replica_token_and_each_worker_gets_its_own_derived_one()
    {
        var replica = Guid.NewGuid();
        Assert.Equal(replica, NodeGang.TokenFor(replica, 0));
        var workers = Enumerable.Range(1, 63).Select(rank => NodeGang.TokenFor(replica, rank)).ToList();
        Assert.Equal(63, workers.Distinct().Count());
        Assert.DoesNotContain(replica, workers);
        // Deterministic: a retried launch asks for the same machines.
        Assert.Equal(workers, Enumerable.Range(1, 63).Select(rank => NodeGang.TokenFor(replica, rank)));
        Assert.NotEqual(NodeGang.TokenFor(replica, 1), NodeGang.TokenFor(Guid.NewGuid(), 1));
    }

    [Fact]
    public void Worker_ranks_follow_the_head()
    {
        Assert.Empty(NodeGang.WorkerRanks(1));
        Assert.Equal([1, 2, 3], NodeGang.WorkerRanks(4));
    }

    [Fact]
    public void A_replica_launches_only_when_every_node_did_and_is_lost_with_any_node()
    {
        Assert.Null(NodeGang.FailedRank([(0, true), (1, true)]));
        Assert.Equal(1, NodeGang.FailedRank([(0, true), (2, false), (1, false)]));
        Assert.Null(NodeGang.LostRank([(0, false), (1, false)]));
        Assert.Equal(0, NodeGang.LostRank([(1, true), (0, true)]));
        Assert.Equal(2, NodeGang.LostRank([(0, false), (1, false), (2, true)]));
    }
}
