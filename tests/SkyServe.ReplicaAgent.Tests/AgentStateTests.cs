using SkyServe.Contracts.Notices;
using SkyServe.ReplicaAgent.Health;
using SkyServe.ReplicaAgent.Hosting;
using SkyServe.ReplicaAgent.Interruption;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>Readiness and status rules, on a clock that moves only when told to.</summary>
public sealed class AgentStateTests
{
    private readonly ManualTimeProvider time = new();

    private AgentState NewState(TimeSpan readyDelay) =>
        new(new AgentOptions { Port = 0, MachineId = "m-1", ReadyDelay = readyDelay }, time);

    private InterruptionNotice Notice(InterruptionAction action) =>
        new(action, time.GetUtcNow().AddMinutes(2), time.GetUtcNow(), "aws");

    [Fact]
    public void Loading_until_the_ready_delay_has_passed()
    {
        var state = NewState(TimeSpan.FromSeconds(30));

        Assert.Equal("loading", state.GetReadiness().Reason);
        time.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromTicks(1));
        Assert.False(state.GetReadiness().IsReady);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(Readiness.Ready, state.GetReadiness());
        Assert.Equal(AgentStatus.Ok, state.Status);
    }

    [Fact]
    public void The_first_notice_is_kept_and_makes_the_replica_unready()
    {
        var state = NewState(TimeSpan.Zero);
        var first = Notice(InterruptionAction.Terminate);

        Assert.True(state.RecordInterruption(first));
        Assert.False(state.RecordInterruption(Notice(InterruptionAction.Stop)));

        Assert.Same(first, state.Interruption);
        Assert.Equal(AgentStatus.Interrupted, state.Status);
        Assert.Equal("interrupted", state.GetReadiness().Reason);
        Assert.Contains("terminate", state.GetReadiness().Detail);
    }

    [Fact]
    public void Draining_makes_the_replica_unready_and_an_interruption_still_shows_in_the_status()
    {
        var state = NewState(TimeSpan.Zero);

        state.BeginDrain();
        Assert.Equal(AgentStatus.Draining, state.Status);
        Assert.Equal("draining", state.GetReadiness().Reason);

        state.RecordInterruption(Notice(InterruptionAction.Hibernate));
        Assert.Equal(AgentStatus.Interrupted, state.Status);
        Assert.False(state.GetReadiness().IsReady);
    }
}
