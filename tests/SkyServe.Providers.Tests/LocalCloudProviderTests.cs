using System.Text.Json.Nodes;
using SkyServe.Core.Traces;
using SkyServe.Providers.Local;
using SkyServe.Testing;

namespace SkyServe.Providers.Tests;

/// <summary>The Local provider's own behaviour: real processes, restarts, and trace-driven preemption.</summary>
public sealed class LocalCloudProviderTests : IAsyncLifetime
{
    private const string Zone = "aws/us-east-1/us-east-1a";
    private readonly TempDirectory state = new();
    private readonly ManualClock clock = new();
    private readonly List<LocalCloudProvider> providers = [];
    private readonly List<string> machines = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        var last = providers.LastOrDefault();
        if (last is not null)
            foreach (var id in machines)
                await last.TerminateAsync(id, CancellationToken.None);
        foreach (var provider in providers)
            await provider.DisposeAsync();
        foreach (var id in machines)
            await AgentProbe.WaitGoneAsync(id);
        state.Dispose();
    }

    private async Task<LocalCloudProvider> StartAsync(LocalMarket market, TimeProvider? time = null, LocalProviderOptions? options = null)
    {
        var provider = await LocalCloudProvider.StartAsync(options ?? LocalRuntime.Options(state.Path), market, time ?? clock);
        providers.Add(provider);
        return provider;
    }

    private async Task<CloudMachine> LaunchAsync(LocalCloudProvider provider, OfferingKey offering, Dictionary<string, string>? tags = null, string? token = null)
    {
        var machine = await provider.LaunchAsync(new LaunchRequest(token ?? Guid.NewGuid().ToString(), offering,
            tags ?? new Dictionary<string, string> { [MachineTags.ManagedBy] = "local-tests" }), CancellationToken.None);
        if (!machines.Contains(machine.Id))
            machines.Add(machine.Id);
        return machine;
    }

    [Fact]
    public async Task A_launch_starts_a_real_agent_and_terminate_stops_it()
    {
        var provider = await StartAsync(LocalRuntime.Market((Zone, new ScriptedSpotCapacity(4))));
        var machine = await LaunchAsync(provider, LocalRuntime.Cpu(Zone, spot: false));
        Assert.StartsWith("http://127.0.0.1:", machine.Endpoint);
        var health = await AgentProbe.WaitHealthyAsync(machine.Endpoint!);
        Assert.Equal(machine.Id, health["machine_id"]!.GetValue<string>());
        Assert.Equal(MachineState.Running, (await provider.GetAsync(machine.Id, CancellationToken.None))!.State);
        Assert.Single(await AgentProbe.ProcessesOfAsync(machine.Id));

        await provider.TerminateAsync(machine.Id, CancellationToken.None);
        await AgentProbe.WaitGoneAsync(machine.Id);
        Assert.Null(await AgentProbe.HealthAsync(machine.Endpoint!));
    }

    [Fact]
    public async Task Concurrent_launches_with_one_token_start_one_process()
    {
        var provider = await StartAsync(LocalRuntime.Market((Zone, new ScriptedSpotCapacity(4))));
        var request = new LaunchRequest("one-token", LocalRuntime.Cpu(Zone, spot: true), new Dictionary<string, string>());
        var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => provider.LaunchAsync(request, CancellationToken.None)));
        var id = Assert.Single(results.Select(m => m.Id).Distinct());
        machines.Add(id);
        await AgentProbe.WaitHealthyAsync(results[0].Endpoint!);
        Assert.Single(await AgentProbe.ProcessesOfAsync(id));
    }

    [Fact]
    public async Task Machines_outlive_a_restart_and_are_found_again_by_tag()
    {
        var market = LocalRuntime.Market((Zone, new ScriptedSpotCapacity(4)));
        var first = await StartAsync(market);
        var tags = new Dictionary<string, string> { [MachineTags.Service] = "chat", [MachineTags.Replica] = "3" };
        var machine = await LaunchAsync(first, LocalRuntime.Cpu(Zone, spot: true), tags);
        var pids = await WaitProcessAsync(machine.Id);
        await AgentProbe.WaitHealthyAsync(machine.Endpoint!);
        await first.DisposeAsync();

        var second = await StartAsync(market);
        var found = Assert.Single(await second.ListAsync(new Dictionary<string, string> { [MachineTags.Service] = "chat" }, CancellationToken.None));
        Assert.Equal(machine.Id, found.Id);
        Assert.Equal(MachineState.Running, found.State);
        Assert.Equal("3", found.Tags[MachineTags.Replica]);
        Assert.Equal(pids, await AgentProbe.ProcessesOfAsync(machine.Id)); // the same process, never restarted
        Assert.NotNull(await AgentProbe.HealthAsync(machine.Endpoint!));
    }

    [Fact]
    public async Task Machines_nobody_wants_can_be_found_and_removed()
    {
        var provider = await StartAsync(LocalRuntime.Market((Zone, new ScriptedSpotCapacity(4))));
        var wanted = await LaunchAsync(provider, LocalRuntime.Cpu(Zone, false), Owned("kept"));
        var orphan = await LaunchAsync(provider, LocalRuntime.Cpu(Zone, false), Owned("deleted-service"));
        var managed = await provider.ListAsync(new Dictionary<string, string> { [MachineTags.ManagedBy] = "gc-test" }, CancellationToken.None);
        foreach (var machine in managed.Where(m => m.Tags[MachineTags.Service] != "kept"))
            await provider.TerminateAsync(machine.Id, CancellationToken.None);
        await AgentProbe.WaitGoneAsync(orphan.Id);
        Assert.Equal([wanted.Id], (await provider.ListAsync(Owned("kept"), CancellationToken.None)).Select(m => m.Id));
        Assert.Null(await provider.GetAsync(orphan.Id, CancellationToken.None));

        static Dictionary<string, string> Owned(string service) =>
            new() { [MachineTags.ManagedBy] = "gc-test", [MachineTags.Service] = service };
    }

    [Fact]
    public async Task A_synthetic_trace_preempts_exactly_the_machines_it_should_when_it_should()
    {
        // Capacity per simulated minute: 2, 2, 1, 1, 0, 0, 2. Notices run 30 s.
        var trace = new SpotTrace(SpotTraceName.For("us-east-1a", "v100", 2), 60, [2, 2, 1, 1, 0, 0, 2]);
        var provider = await StartAsync(LocalRuntime.Market((Zone, new TraceSpotCapacity(trace, TimeSpan.Zero))));
        await using var notices = new NoticeCollector(provider);
        var spot = LocalRuntime.Cpu(Zone, spot: true);
        var older = await LaunchAsync(provider, spot);
        clock.Advance(TimeSpan.FromSeconds(1));
        var newer = await LaunchAsync(provider, spot);
        await Assert.ThrowsAsync<CloudProviderException>(() => LaunchAsync(provider, spot)); // full: capacity 2
        await WaitProcessAsync(older.Id);
        await WaitProcessAsync(newer.Id);
        var start = clock.GetUtcNow() - TimeSpan.FromSeconds(1);

        await StepAtAsync(start + TimeSpan.FromSeconds(119));
        Assert.Empty(notices.Now());
        await StepAtAsync(start + TimeSpan.FromSeconds(120));    // capacity 1: the newer machine is reclaimed
        var first = Assert.Single(await notices.AtLeastAsync(1));
        Assert.Equal(newer.Id, first.MachineId);
        Assert.Equal(start + TimeSpan.FromSeconds(150), first.Deadline);
        await StepAtAsync(start + TimeSpan.FromSeconds(149));    // notice running: still alive
        Assert.Single(await AgentProbe.ProcessesOfAsync(newer.Id));
        await StepAtAsync(start + TimeSpan.FromSeconds(150));    // deadline: gone
        await AgentProbe.WaitGoneAsync(newer.Id);
        Assert.Null(await provider.GetAsync(newer.Id, CancellationToken.None));
        Assert.Single(await AgentProbe.ProcessesOfAsync(older.Id));

        await StepAtAsync(start + TimeSpan.FromSeconds(240));    // capacity 0: the older one goes too
        Assert.Equal([newer.Id, older.Id], (await notices.AtLeastAsync(2)).Select(n => n.MachineId));
        var refused = await Assert.ThrowsAsync<CloudProviderException>(() => LaunchAsync(provider, spot));
        Assert.Equal(CloudErrorKind.InsufficientCapacity, refused.Kind);
        await StepAtAsync(start + TimeSpan.FromSeconds(270));
        await AgentProbe.WaitGoneAsync(older.Id);

        await StepAtAsync(start + TimeSpan.FromSeconds(360));    // capacity back: launches succeed again
        var again = await LaunchAsync(provider, spot);
        Assert.Equal(2, notices.Now().Count);
        Assert.Equal(MachineState.Pending, again.State);

        async Task StepAtAsync(DateTimeOffset at)
        {
            clock.Set(at);
            await provider.StepAsync();
        }
    }

    [Fact]
    public async Task The_AWS1_trace_replayed_preempts_the_machines_it_says_when_it_says()
    {
        var traces = SpotTraceSet.LoadDirectory(Path.Combine(RepoPaths.SharedTraces, "AWS1"));
        var trace = traces.Traces.First(t => t.Zone == "us-west-2c");
        // Start where the zone holds 4 and watch the next 60 samples (5 simulated hours) go by.
        var startIndex = trace.Samples.IndexOf(4);
        var window = trace.Slice(startIndex, 60);
        var gap = TimeSpan.FromSeconds(trace.GapSeconds);
        var provider = await StartAsync(
            LocalRuntime.Market(("aws/us-west-2/us-west-2c", new TraceSpotCapacity(trace, gap * startIndex))),
            options: LocalRuntime.Options(state.Path) with { NoticeLead = TimeSpan.FromSeconds(120) });
        var spot = LocalRuntime.Cpu("aws/us-west-2/us-west-2c", spot: true);
        var launched = new List<CloudMachine>();
        for (var i = 0; i < 4; i++)
        {
            launched.Add(await LaunchAsync(provider, spot));
            clock.Advance(TimeSpan.FromMilliseconds(1));
        }
        var start = clock.GetUtcNow() - TimeSpan.FromMilliseconds(4);

        // The known answer: with no relaunches, sample i leaves min(capacity so far) machines, newest reclaimed first.
        var expectedAlive = 4;
        var alive = launched.Select(m => m.Id).ToList();
        for (var i = 1; i < window.Length; i++)
        {
            await clockStep(start + gap * i);
            var shouldRemain = Math.Min(expectedAlive, window.Samples[i]);
            var expectedReclaimed = alive.Skip(shouldRemain).ToList();
            foreach (var id in expectedReclaimed)
            {
                var reclaimed = (await provider.ListAsync(new Dictionary<string, string>(), CancellationToken.None)).Single(m => m.Id == id);
                Assert.Equal(MachineState.Running, reclaimed.State); // noticed, not yet dead
            }
            alive = alive.Take(shouldRemain).ToList();
            expectedAlive = shouldRemain;
            await clockStep(start + gap * i + TimeSpan.FromSeconds(120));
            var live = (await provider.ListAsync(new Dictionary<string, string>(), CancellationToken.None)).Select(m => m.Id).ToList();
            Assert.Equal(alive, launched.Select(m => m.Id).Where(live.Contains).ToList());
            foreach (var id in expectedReclaimed)
                await AgentProbe.WaitGoneAsync(id);
        }
        Assert.True(expectedAlive < 4, "the window should contain at least one preemption");

        async Task clockStep(DateTimeOffset at)
        {
            clock.Set(at);
            await provider.StepAsync();
        }
    }

    /// <summary>Each simulated cloud's agent polls the metadata format of its cloud, as it would on the real one.</summary>
    [Theory]
    [InlineData(Zone, "aws")]
    [InlineData("gcp/us-central1/us-central1-a", "gcp")]
    [InlineData("azure/eastus/eastus-1", "azure")]
    public async Task The_agent_reads_its_notice_from_the_metadata_endpoint_before_it_is_killed(string zone, string format)
    {
        var capacity = new ScriptedSpotCapacity(2);
        var options = LocalRuntime.Options(state.Path) with
        {
            TimeCompression = 40, NoticeLead = TimeSpan.FromSeconds(120), MarketInterval = TimeSpan.FromMilliseconds(100),
        };
        var provider = await StartAsync(LocalRuntime.Market((zone, capacity)), TimeProvider.System, options);
        var machine = await LaunchAsync(provider, LocalRuntime.Cpu(zone, spot: true));
        await AgentProbe.WaitHealthyAsync(machine.Endpoint!);

        capacity.Capacity = 0; // the zone runs dry: a 3 s (120 simulated seconds) notice, then the kill
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        JsonNode? health;
        while ((health = await AgentProbe.HealthAsync(machine.Endpoint!))?["status"]?.GetValue<string>() != "interrupted")
        {
            Assert.True(DateTime.UtcNow < deadline, "the agent never saw its interruption notice");
            await Task.Delay(100);
        }
        Assert.Equal(format, health!["interruption"]!["source"]!.GetValue<string>());
        Assert.Single(await AgentProbe.ProcessesOfAsync(machine.Id)); // it knew before it died
        await AgentProbe.WaitGoneAsync(machine.Id, TimeSpan.FromSeconds(10));
        Assert.Null(await provider.GetAsync(machine.Id, CancellationToken.None));
    }

    private static async Task<IReadOnlyList<int>> WaitProcessAsync(string machineId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var pids = await AgentProbe.ProcessesOfAsync(machineId);
            if (pids.Count > 0)
                return pids;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"no process for {machineId}");
            await Task.Delay(50);
        }
    }
}
