using SkyServe.Providers.Local;
using SkyServe.Testing;

namespace SkyServe.Providers.Tests;

/// <summary>
/// One local runtime shared by several processes (the controllers of one deployment): providers on one state directory,
/// each with its own lock on it (two in this process exclude each other as two processes do), and a real second process.
/// </summary>
public sealed class LocalSharedRuntimeTests : IAsyncLifetime
{
    private const string Zone = "aws/us-east-1/us-east-1a";
    private readonly TempDirectory state = new();
    private readonly ManualClock clock = new();
    private readonly ScriptedSpotCapacity capacity = new(8);
    private readonly List<LocalCloudProvider> providers = [];
    private readonly HashSet<LocalCloudProvider> disposed = [];
    private readonly List<string> machines = [];
    private LocalRuntimeHostProcess? host;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (host is not null)
            await host.DisposeAsync();
        var live = providers.LastOrDefault(p => !disposed.Contains(p)) ?? await StartAsync();
        await live.TerminateAllAsync(CancellationToken.None);
        foreach (var provider in providers)
            await provider.DisposeAsync();
        foreach (var id in machines)
            await AgentProbe.WaitGoneAsync(id);
        state.Dispose();
    }

    private LocalProviderOptions Options => LocalRuntime.Options(state.Path);

    /// <summary>Real time, a market that looks every 100 ms, notices long enough to watch an agent read one.</summary>
    private LocalProviderOptions LiveOptions => Options with
    {
        MarketInterval = TimeSpan.FromMilliseconds(100),
        NoticeLead = TimeSpan.FromSeconds(120),
        MetadataTakeoverInterval = TimeSpan.FromMilliseconds(250),
    };

    private async Task<LocalCloudProvider> StartAsync(LocalProviderOptions? options = null, TimeProvider? time = null)
    {
        var provider = await LocalCloudProvider.StartAsync(options ?? Options, LocalRuntime.Market((Zone, capacity)), time ?? clock);
        providers.Add(provider);
        return provider;
    }

    private async Task StopAsync(LocalCloudProvider provider)
    {
        await provider.DisposeAsync();
        disposed.Add(provider);
    }

    private async Task<CloudMachine> LaunchAsync(LocalCloudProvider provider, bool spot, string? token = null)
    {
        var machine = await provider.LaunchAsync(new LaunchRequest(token ?? Guid.NewGuid().ToString(), LocalRuntime.Cpu(Zone, spot),
            new Dictionary<string, string> { [MachineTags.ManagedBy] = "shared-tests" }), CancellationToken.None);
        lock (machines)
            if (!machines.Contains(machine.Id))
                machines.Add(machine.Id);
        return machine;
    }

    private List<LocalMachine> Saved() => new LocalStateStore(state.Path).Load()!.Machines;

    [Fact]
    public async Task The_state_lock_excludes_a_second_holder_until_the_first_lets_go()
    {
        var first = new LocalStateLock(state.Path);
        var second = new LocalStateLock(state.Path);
        var held = await first.AcquireAsync(CancellationToken.None);
        Assert.Null(second.TryAcquire(out var busy));
        Assert.NotNull(busy);
        var waiting = second.AcquireAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        held.Dispose();
        using var next = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Null(first.TryAcquire(out _));
    }

    [Fact]
    public async Task A_machine_one_provider_launched_is_seen_found_by_its_token_and_terminated_through_another()
    {
        var a = await StartAsync();
        var b = await StartAsync();
        Assert.True(a.RunsMarket);
        Assert.False(b.RunsMarket);

        var machine = await LaunchAsync(a, spot: false, token: "launched-by-a");
        var seen = await b.GetAsync(machine.Id, CancellationToken.None);
        Assert.Equal(machine.Endpoint, seen?.Endpoint);
        Assert.Equal([machine.Id], (await b.ListAsync(new Dictionary<string, string> { [MachineTags.ManagedBy] = "shared-tests" }, CancellationToken.None)).Select(m => m.Id));
        var retried = await LaunchAsync(b, spot: false, token: "launched-by-a"); // a launch retried through another controller
        Assert.Equal(machine.Id, retried.Id);
        await AgentProbe.WaitHealthyAsync(machine.Endpoint!);
        Assert.Single(await AgentProbe.ProcessesOfAsync(machine.Id));

        await b.TerminateAsync(machine.Id, CancellationToken.None);
        await AgentProbe.WaitGoneAsync(machine.Id);
        Assert.Null(await a.GetAsync(machine.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Launches_through_two_providers_at_once_lose_no_machine()
    {
        // Agents are never due: this is about the registry, not about twenty processes.
        var options = Options with { ProvisioningDelay = TimeSpan.FromHours(1) };
        var a = await StartAsync(options);
        var b = await StartAsync(options);
        var launches = Enumerable.Range(0, 10).SelectMany(i => new[]
        {
            Task.Run(() => LaunchAsync(a, spot: false, token: $"a-{i}")),
            Task.Run(() => LaunchAsync(b, spot: false, token: $"b-{i}")),
        });
        var launched = await Task.WhenAll(launches);

        var saved = Saved();
        Assert.Equal(20, saved.Count);
        Assert.Equal(launched.Select(m => m.Id).Order(), saved.Select(m => m.Id).Order());
        Assert.Equal(20, saved.Select(m => m.Port).Distinct().Count());
        Assert.Equal(20, (await a.ListAsync(new Dictionary<string, string>(), CancellationToken.None)).Count);
        Assert.Equal(20, (await b.ListAsync(new Dictionary<string, string>(), CancellationToken.None)).Count);
    }

    [Fact]
    public async Task When_the_market_owner_goes_another_provider_serves_the_same_metadata_port_and_runs_the_market()
    {
        var a = await StartAsync(LiveOptions, TimeProvider.System);
        var b = await StartAsync(LiveOptions, TimeProvider.System);
        await using var heard = new NoticeCollector(b);
        var machine = await LaunchAsync(a, spot: true);
        await AgentProbe.WaitHealthyAsync(machine.Endpoint!);
        var port = new LocalStateStore(state.Path).Load()!.MetadataPort;
        Assert.True(a.RunsMarket);

        await StopAsync(a);
        await WaitUntilAsync(() => b.RunsMarket, "the second provider took over the metadata endpoint");
        Assert.Equal(port, new LocalStateStore(state.Path).Load()!.MetadataPort);
        Assert.NotNull(await AgentProbe.HealthAsync(machine.Endpoint!)); // the agent did not go with its launcher

        capacity.Capacity = 0; // the new owner's market reclaims the machine; its agent polls the same URL as before
        await WaitInterruptedAsync(machine.Endpoint!);
        Assert.Equal(machine.Id, Assert.Single(await heard.AtLeastAsync(1)).MachineId);
    }

    [Fact]
    public async Task A_machine_whose_launcher_died_before_its_boot_is_started_once_by_the_others()
    {
        var options = Options with { ProvisioningDelay = TimeSpan.FromMinutes(10) };
        var a = await StartAsync(options);
        var machine = await LaunchAsync(a, spot: false);
        await StopAsync(a); // gone before the boot time: nothing of it will start the agent
        var b = await StartAsync(options);
        var c = await StartAsync(options);

        clock.Advance(options.ProvisioningDelay); // due, but still left to its launcher for a while
        await b.StepAsync();
        Assert.Equal(MachineState.Pending, (await c.GetAsync(machine.Id, CancellationToken.None))!.State);
        Assert.Empty(await AgentProbe.ProcessesOfAsync(machine.Id));

        clock.Advance(options.OrphanedWorkAfter);
        await Task.WhenAll(Task.Run(() => b.StepAsync()), Task.Run(() => c.StepAsync()));
        Assert.Equal(MachineState.Running, (await b.GetAsync(machine.Id, CancellationToken.None))!.State);
        await AgentProbe.WaitHealthyAsync(machine.Endpoint!);
        Assert.Single(await AgentProbe.ProcessesOfAsync(machine.Id));
    }

    [Fact]
    public async Task A_killed_launching_process_leaves_its_agent_running_and_another_process_takes_over_the_runtime()
    {
        host = await LocalRuntimeHostProcess.StartAsync(state.Path, Zone, provisioningDelay: TimeSpan.Zero);
        Assert.True(host.RanMarketAtStart);
        var (id, endpoint) = await host.LaunchAsync("launched-by-the-host", spot: true);
        machines.Add(id);
        var b = await StartAsync(LiveOptions, TimeProvider.System);
        Assert.False(b.RunsMarket);
        Assert.Equal(id, (await LaunchAsync(b, spot: true, token: "launched-by-the-host")).Id);
        await AgentProbe.WaitHealthyAsync(endpoint);

        await host.KillAsync();
        await WaitUntilAsync(() => b.RunsMarket, "this process took over the killed one's metadata endpoint");
        Assert.NotNull(await AgentProbe.HealthAsync(endpoint));
        Assert.Equal(MachineState.Running, (await b.GetAsync(id, CancellationToken.None))!.State);

        capacity.Capacity = 0;
        await WaitInterruptedAsync(endpoint);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(50);
        }
    }

    /// <summary>The agent's /health says it read its interruption notice (its polls back off while the endpoint was away).</summary>
    private static async Task WaitInterruptedAsync(string endpoint)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await AgentProbe.HealthAsync(endpoint))?["status"]?.GetValue<string>() != "interrupted")
        {
            Assert.True(DateTime.UtcNow < deadline, "the agent never read its interruption notice");
            await Task.Delay(100);
        }
    }
}
