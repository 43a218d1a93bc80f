using SkyServe.Core.Domain;
using SkyServe.Core.Policies;
using SkyServe.Core.Spec;
using static SkyServe.Core.Tests.Policies.PolicyTestData;

namespace SkyServe.Core.Tests.Policies;

public sealed class ServicePlannerUpdateTests
{
    private static readonly ServiceSpec ThreeOnDemand = ServiceWith(FixedPolicy(3), useSpot: false);

    [Fact]
    public void A_rolling_update_never_drops_below_the_target_of_ready_replicas()
    {
        IReadOnlyList<ReplicaSnapshot> replicas =
        [
            Replica(1, ReplicaStatus.READY, spot: false),
            Replica(2, ReplicaStatus.READY, spot: false),
            Replica(3, ReplicaStatus.READY, spot: false),
        ];
        var terminatedPerStep = new List<int[]>();
        var servingPerStep = new List<int[]>();

        for (var step = 0; step < 10; step++)
        {
            var plan = ServicePlanner.Plan(Snapshot(ThreeOnDemand, replicas, currentVersion: 2));
            var terminated = plan.Terminations.Select(t => t.ReplicaId).ToHashSet();
            Assert.True(replicas.Count(r => r.IsReady && !terminated.Contains(r.ReplicaId)) >= 3, $"step {step}");
            terminatedPerStep.Add([.. terminated]);
            servingPerStep.Add([.. plan.ServingVersions.Order()]);

            replicas = Execute(replicas, plan);
            Assert.True(replicas.Count(r => r.IsReady) >= 3, $"step {step}");
            if (replicas.Count(r => r.Version == 2 && r.IsReady) == 3 && !replicas.Any(r => r.Version == 1 && r.IsAlive))
                break;
            replicas = OneNewReplicaBecomesReady(replicas);
        }

        Assert.Equal([[], [3], [2], [1]], terminatedPerStep);
        Assert.Equal([[1], [1, 2], [1, 2], [2]], servingPerStep);

        var settled = ServicePlanner.Plan(Snapshot(ThreeOnDemand, replicas, currentVersion: 2));
        Assert.Empty(settled.Launches);
        Assert.Empty(settled.Terminations);
        Assert.Equal([2], settled.ServingVersions);
    }

    [Fact]
    public void A_rolling_update_launches_the_new_version_first()
    {
        var plan = ServicePlanner.Plan(Snapshot(ThreeOnDemand,
            [Replica(1, ReplicaStatus.READY, spot: false), Replica(2, ReplicaStatus.STARTING, spot: false)],
            currentVersion: 2));

        Assert.Equal([2, 2, 2], plan.Launches.Select(l => l.Version));
        Assert.Equal([new TerminateDecision(2, "rolling update to version 2: old replica not ready")], plan.Terminations);
    }

    [Fact]
    public void Blue_green_keeps_the_old_version_serving_until_min_replicas_are_ready_then_switches()
    {
        var before = ServicePlanner.Plan(Snapshot(ThreeOnDemand,
            [
                Replica(1, ReplicaStatus.READY, spot: false),
                Replica(2, ReplicaStatus.READY, spot: false),
                Replica(3, ReplicaStatus.READY, spot: false),
                Replica(7, ReplicaStatus.NOT_READY, spot: false),
                Replica(4, ReplicaStatus.READY, spot: false, version: 2),
                Replica(5, ReplicaStatus.READY, spot: false, version: 2),
                Replica(6, ReplicaStatus.STARTING, spot: false, version: 2),
            ],
            currentVersion: 2, mode: UpdateMode.BlueGreen));

        Assert.Equal([new TerminateDecision(7, "blue-green update to version 2: old replica not ready")], before.Terminations);
        Assert.Equal([1], before.ServingVersions);
        Assert.Empty(before.Launches);

        var after = ServicePlanner.Plan(Snapshot(ThreeOnDemand,
            [
                Replica(1, ReplicaStatus.READY, spot: false),
                Replica(2, ReplicaStatus.READY, spot: false),
                Replica(3, ReplicaStatus.READY, spot: false),
                Replica(7, ReplicaStatus.SHUTTING_DOWN, spot: false),
                Replica(4, ReplicaStatus.READY, spot: false, version: 2),
                Replica(5, ReplicaStatus.READY, spot: false, version: 2),
                Replica(6, ReplicaStatus.READY, spot: false, version: 2),
            ],
            currentVersion: 2, mode: UpdateMode.BlueGreen));

        const string reason = "blue-green: switched to version 2, 3 ready";
        Assert.Equal([new TerminateDecision(1, reason), new TerminateDecision(2, reason), new TerminateDecision(3, reason)], after.Terminations);
        Assert.Equal([2], after.ServingVersions);
    }

    [Fact]
    public void Blue_green_before_any_new_replica_serves_the_old_version_and_launches_the_new_one()
    {
        var plan = ServicePlanner.Plan(Snapshot(ThreeOnDemand,
            [Replica(1, ReplicaStatus.READY, spot: false), Replica(2, ReplicaStatus.READY, spot: false), Replica(3, ReplicaStatus.READY, spot: false)],
            currentVersion: 2, mode: UpdateMode.BlueGreen));

        Assert.Equal([2, 2, 2], plan.Launches.Select(l => l.Version));
        Assert.Empty(plan.Terminations);
        Assert.Equal([1], plan.ServingVersions);
    }

    /// <summary>What the executors would do: launched machines start provisioning, terminated ones shut down, shut-down ones vanish.</summary>
    private static IReadOnlyList<ReplicaSnapshot> Execute(IReadOnlyList<ReplicaSnapshot> replicas, ServicePlan plan)
    {
        var terminated = plan.Terminations.Select(t => t.ReplicaId).ToHashSet();
        var nextId = replicas.Max(r => r.ReplicaId) + 1;
        return replicas
            .Where(r => r.Status != ReplicaStatus.SHUTTING_DOWN)
            .Select(r => terminated.Contains(r.ReplicaId) ? r with { Status = ReplicaStatus.SHUTTING_DOWN } : r)
            .Concat(plan.Launches.Select((launch, i) =>
                Replica(nextId + i, ReplicaStatus.PROVISIONING, launch.IsSpot, launch.Option.Location, launch.Version)))
            .ToList();
    }

    private static IReadOnlyList<ReplicaSnapshot> OneNewReplicaBecomesReady(IReadOnlyList<ReplicaSnapshot> replicas)
    {
        var next = replicas.Where(r => r.Version == 2 && r.IsAlive && !r.IsReady).MinBy(r => r.ReplicaId);
        return replicas.Select(r => r == next ? r with { Status = ReplicaStatus.READY } : r).ToList();
    }
}
