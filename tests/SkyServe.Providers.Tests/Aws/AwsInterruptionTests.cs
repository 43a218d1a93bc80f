using SkyServe.Contracts.Notices;
using SkyServe.Providers.Aws.Ec2;
using SkyServe.Providers.Aws.Sqs;

namespace SkyServe.Providers.Tests.Aws;

/// <summary>Spot reclaims: the EventBridge warning through SQS, and the state reason EC2 leaves on the instance.</summary>
public sealed class AwsInterruptionTests : IAsyncLifetime
{
    private AwsTestCloud cloud = null!;
    private static readonly OfferingKey Spot = AwsTestCloud.Key("us-east-1a", "g5.xlarge", spot: true);

    public async Task InitializeAsync() => cloud = await AwsTestCloud.StartAsync();

    public async Task DisposeAsync() => await cloud.DisposeAsync();

    [Fact]
    public async Task The_queue_warning_becomes_a_notice_two_minutes_ahead_and_is_deleted()
    {
        var provider = cloud.Provider();
        await using var notices = new NoticeCollector(provider);
        var machine = await provider.LaunchAsync(AwsTestCloud.Launch(Spot), CancellationToken.None);
        var warnedAt = cloud.Clock.GetUtcNow();
        cloud.World.Reclaim(machine.Id);
        var notice = Assert.Single(await notices.AtLeastAsync(1));
        Assert.Equal((machine.Id, InterruptionKind.Preemption), (notice.MachineId, notice.Kind));
        Assert.Equal(TimeSpan.FromMinutes(2), notice.Deadline - new DateTimeOffset(warnedAt.Year, warnedAt.Month, warnedAt.Day, warnedAt.Hour, warnedAt.Minute, warnedAt.Second, TimeSpan.Zero));
        await WaitUntilAsync(() => cloud.Emulator.Queue.Count == 0);
        Assert.Contains(cloud.Emulator.RequestsFor("DeleteMessage"), r => r.Status == 200 && r.Service == "sqs");
        Assert.All(cloud.Emulator.RequestsFor("ReceiveMessage"), r => Assert.Equal(("sqs", "1"), (r.Service, r["WaitTimeSeconds"])));

        // Still running through the warning; then EC2 ends it with Server.SpotInstanceTermination, and no second notice comes.
        Assert.Equal(MachineState.Running, (await provider.GetAsync(machine.Id, CancellationToken.None))!.State);
        cloud.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Null(await provider.GetAsync(machine.Id, CancellationToken.None));
        var instance = Assert.Single(cloud.World.Instances);
        Assert.Equal(("terminated", "Server.SpotInstanceTermination"), (instance.State, instance.StateReasonCode));
        Assert.Single(notices.Now());
    }

    [Fact]
    public async Task Without_a_queue_the_reclaim_is_reported_when_EC2_shows_it()
    {
        var provider = cloud.Provider(cloud.Options() with { InterruptionQueueUrl = null });
        await using var notices = new NoticeCollector(provider);
        var machine = await provider.LaunchAsync(AwsTestCloud.Launch(Spot), CancellationToken.None);
        cloud.World.Reclaim(machine.Id);
        cloud.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Null(await provider.GetAsync(machine.Id, CancellationToken.None));
        var notice = Assert.Single(await notices.AtLeastAsync(1));
        Assert.Equal((machine.Id, InterruptionKind.Preemption), (notice.MachineId, notice.Kind));
        Assert.Equal(notice.ReceivedAt, notice.Deadline); // after the fact
        Assert.Empty(cloud.Emulator.RequestsFor("ReceiveMessage"));
    }

    [Fact]
    public async Task Lowering_a_zone_s_spot_capacity_reclaims_the_newest_spot_machines()
    {
        var provider = cloud.Provider();
        await using var notices = new NoticeCollector(provider);
        var older = await provider.LaunchAsync(AwsTestCloud.Launch(Spot), CancellationToken.None);
        cloud.Clock.Advance(TimeSpan.FromSeconds(10));
        var newer = await provider.LaunchAsync(AwsTestCloud.Launch(Spot), CancellationToken.None);
        cloud.World.SetSpotCapacity("us-east-1a", 1);
        Assert.Equal(newer.Id, Assert.Single(await notices.AtLeastAsync(1)).MachineId);
        cloud.Clock.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal([older.Id], (await provider.ListAsync(new Dictionary<string, string>(), CancellationToken.None)).Select(m => m.Id));
    }

    [Fact]
    public void The_EventBridge_warning_is_read_and_other_events_are_not()
    {
        var received = DateTimeOffset.Parse("2021-02-10T14:30:05Z");
        var warning = """
            {"version":"0","id":"1e5527d7-bb36-4607-3370-4164db56a40e","detail-type":"EC2 Spot Instance Interruption Warning",
             "source":"aws.ec2","account":"123456789012","time":"2021-02-10T14:30:00Z","region":"us-east-2",
             "resources":["arn:aws:ec2:us-east-2a:instance/i-1234567890abcdef0"],
             "detail":{"instance-id":"i-1234567890abcdef0","instance-action":"terminate"}}
            """;
        var notice = SpotInterruptionEvent.Parse(warning, received);
        Assert.Equal(new InterruptionNotice("i-1234567890abcdef0", InterruptionKind.Preemption, DateTimeOffset.Parse("2021-02-10T14:32:00Z"), received), notice);
        Assert.Null(SpotInterruptionEvent.Parse(warning.Replace("EC2 Spot Instance Interruption Warning", "EC2 Instance Rebalance Recommendation"), received));
        Assert.Null(SpotInterruptionEvent.Parse("not json", received));
        Assert.Null(SpotInterruptionEvent.Parse("""{"source":"aws.health"}""", received));
    }

    [Theory]
    [InlineData("pending", MachineState.Pending)]
    [InlineData("running", MachineState.Running)]
    [InlineData("shutting-down", MachineState.ShuttingDown)]
    [InlineData("stopping", MachineState.ShuttingDown)]
    [InlineData("stopped", MachineState.ShuttingDown)]
    [InlineData("terminated", MachineState.Terminated)]
    public void EC2_states_map_to_machine_states(string ec2, MachineState state) =>
        Assert.Equal(state, Ec2InstanceStates.ToMachineState(ec2));

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.True(condition());
    }
}
