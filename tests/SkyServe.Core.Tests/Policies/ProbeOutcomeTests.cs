using SkyServe.Core.Domain;
using SkyServe.Core.Policies;

namespace SkyServe.Core.Tests.Policies;

public sealed class ProbeOutcomeTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(60);

    private static (ReplicaStatus Status, string Reason)? Next(ReplicaStatus status, bool ready, double secondsInStatus, int initialDelay = 120) =>
        ProbeOutcome.Next(status, ready, ready ? null : "GET /ready answered 503", TimeSpan.FromSeconds(secondsInStatus), initialDelay, Grace);

    [Theory]
    [InlineData(ReplicaStatus.STARTING)]
    [InlineData(ReplicaStatus.NOT_READY)]
    public void A_200_makes_a_replica_ready(ReplicaStatus from) =>
        Assert.Equal(ReplicaStatus.READY, Next(from, ready: true, 5)!.Value.Status);

    [Fact]
    public void A_ready_replica_that_passes_stays_as_it_is() => Assert.Null(Next(ReplicaStatus.READY, ready: true, 500));

    [Fact]
    public void A_ready_replica_that_fails_leaves_rotation_at_once()
    {
        var next = Next(ReplicaStatus.READY, ready: false, 0)!.Value;
        Assert.Equal(ReplicaStatus.NOT_READY, next.Status);
        Assert.Contains("503", next.Reason);
    }

    [Fact]
    public void Failures_while_starting_count_only_after_the_initial_delay()
    {
        Assert.Null(Next(ReplicaStatus.STARTING, ready: false, 120));
        Assert.Equal(ReplicaStatus.FAILED_INITIAL_DELAY, Next(ReplicaStatus.STARTING, ready: false, 120.5)!.Value.Status);
    }

    [Fact]
    public void Not_ready_past_the_grace_is_a_failed_replica()
    {
        Assert.Null(Next(ReplicaStatus.NOT_READY, ready: false, 60));
        var next = Next(ReplicaStatus.NOT_READY, ready: false, 61)!.Value;
        Assert.Equal(ReplicaStatus.FAILED_PROBING, next.Status);
        Assert.Contains("not ready for 60 s", next.Reason);
    }
}
