using SkyServe.Core.Domain;
using SkyServe.Core.Policies;
using static SkyServe.Core.Tests.Policies.PolicyTestData;

namespace SkyServe.Core.Tests.Policies;

public sealed class ScaleDownOrderTests
{
    private static int[] Pick(int count, int currentVersion, params ReplicaSnapshot[] candidates) =>
        ScaleDownOrder.Pick(candidates, count, currentVersion).Select(replica => replica.ReplicaId).ToArray();

    [Fact]
    public void Earliest_stage_goes_first()
    {
        Assert.Equal(
            [5, 4, 3, 2, 1],
            Pick(5, 1,
                Replica(1, ReplicaStatus.READY),
                Replica(2, ReplicaStatus.NOT_READY),
                Replica(3, ReplicaStatus.STARTING),
                Replica(4, ReplicaStatus.PROVISIONING),
                Replica(5, ReplicaStatus.PENDING)));
    }

    [Fact]
    public void Within_a_stage_older_versions_go_first_then_the_newest_id()
    {
        Assert.Equal(
            [2, 4, 3, 1],
            Pick(4, 2,
                Replica(1, ReplicaStatus.READY, version: 2),
                Replica(2, ReplicaStatus.READY, version: 1),
                Replica(3, ReplicaStatus.READY, version: 2),
                Replica(4, ReplicaStatus.READY, version: 2)));
    }

    [Fact]
    public void Stage_comes_before_version()
    {
        Assert.Equal([2], Pick(1, 2, Replica(1, ReplicaStatus.READY, version: 1), Replica(2, ReplicaStatus.PENDING, version: 2)));
    }

    [Fact]
    public void Takes_at_most_count_and_never_a_replica_already_leaving()
    {
        Assert.Equal([3, 2], Pick(2, 1, Replica(1, ReplicaStatus.READY), Replica(2, ReplicaStatus.READY), Replica(3, ReplicaStatus.READY)));
        Assert.Equal(
            [1],
            Pick(3, 1,
                Replica(1, ReplicaStatus.READY),
                Replica(7, ReplicaStatus.PREEMPTED),
                Replica(8, ReplicaStatus.FAILED),
                Replica(9, ReplicaStatus.SHUTTING_DOWN)));
        Assert.Empty(Pick(0, 1, Replica(1, ReplicaStatus.PENDING)));
        Assert.Equal([1], Pick(2, 1, Replica(1, ReplicaStatus.READY), Replica(1, ReplicaStatus.READY)));
    }
}
