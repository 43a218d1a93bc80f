using SkyServe.Contracts.Notices;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SkyServe.Providers.Local;

/// <summary>
/// The embedded default cloud: machines are ReplicaAgent processes on this machine; zones are simulated,
/// with spot capacity from a trace or a seeded random process. When a zone's capacity falls below the
/// spot machines running there, the newest surplus machines get an interruption notice (on the notice
/// stream, and through the metadata endpoint their agents poll, in their simulated cloud's format: AWS
/// IMDSv2, GCP metadata or Azure Scheduled Events) and are killed at its deadline. Agents are told the
/// controller's URL and their own token (<see cref="AgentSettings"/>) so that they report a notice at once.
/// </summary>
public sealed class LocalCloudProvider : ICloudProvider, IAsyncDisposable
{
    private readonly LocalProviderOptions options;
    private readonly LocalMarket market;
    private readonly TimeProvider time;
    private readonly ILogger log;
    private readonly LocalStateStore store;
    private readonly LocalState state;
    private readonly MetadataServer metadata;
    private readonly SimulatedClock clock;
    private readonly string agentDll;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly NoticeBroadcaster notices = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly List<Task> background = [];
    private int disposed;

    private LocalCloudProvider(LocalProviderOptions options, LocalMarket market, TimeProvider time, ILogger log,
        LocalStateStore store, LocalState state, MetadataServer metadata, string agentDll)
    {
        this.options = options;
        this.market = market;
        this.time = time;
        this.log = log;
        this.store = store;
        this.state = state;
        this.metadata = metadata;
        this.agentDll = agentDll;
        clock = new SimulatedClock(state.Epoch, options.TimeCompression);
        Unavailable = new UnavailableOfferings(time, options.UnavailableOfferingTtl);
    }

    public IReadOnlyCollection<string> Clouds => market.Zones.Select(z => z.Cloud).Distinct().ToList();

    public UnavailableOfferings Unavailable { get; }

    /// <summary>Market time now: how far into the capacity traces the zones are.</summary>
    public TimeSpan SimulatedNow => clock.SinceStart(time.GetUtcNow());

    public static async Task<LocalCloudProvider> StartAsync(
        LocalProviderOptions options, LocalMarket market, TimeProvider? time = null, ILogger? log = null)
    {
        time ??= TimeProvider.System;
        var agentDll = options.AgentDll ?? ReplicaAgentLocation.Dll();
        if (!File.Exists(agentDll))
            throw new FileNotFoundException($"the ReplicaAgent to launch was not found at {agentDll}", agentDll);
        var store = new LocalStateStore(options.StateDirectory);
        var state = store.Load() ?? new LocalState { Epoch = time.GetUtcNow() };
        var metadata = await MetadataServer.StartAsync(state.MetadataPort);
        state.MetadataPort = metadata.Port;
        var provider = new LocalCloudProvider(options, market, time, log ?? NullLogger.Instance, store, state, metadata, agentDll);
        await provider.RecoverAsync();
        if (options.MarketInterval > TimeSpan.Zero)
            provider.Track(provider.RunMarketAsync());
        return provider;
    }

    public Task<IReadOnlyList<CloudOffering>> ListOfferingsAsync(CancellationToken ct)
    {
        return Task.FromResult(Unavailable.Offer(market.Offerings));
    }

    public async Task<CloudMachine> LaunchAsync(LaunchRequest request, CancellationToken ct)
    {
        await gate.WaitAsync(ct);
        try
        {
            if (state.Machines.FirstOrDefault(m => m.ClientToken == request.ClientToken) is { } existing)
                return existing.ToCloudMachine();

            var key = request.Offering;
            var instance = market.Find(key) ?? throw new CloudProviderException(CloudErrorKind.InvalidRequest,
                $"the local runtime offers no {key.InstanceType} in {key.Cloud}/{key.Region}/{key.Zone}");
            if (key.Spot && instance.SpotPerHour is null)
                throw new CloudProviderException(CloudErrorKind.InvalidRequest, $"{key.InstanceType} has no spot market in {key.Zone}");
            if (state.Machines.Count(m => m.IsLive) >= options.MaxMachines)
                throw new CloudProviderException(CloudErrorKind.QuotaExceeded,
                    $"the machine quota of {options.MaxMachines} is used up") { CloudCode = "MaxMachinesExceeded" };
            var now = time.GetUtcNow();
            if (key.Spot && SpareSpotCapacity(market.ZoneOf(key)!, now) <= 0)
            {
                Unavailable.MarkUnavailable(key);
                throw new CloudProviderException(CloudErrorKind.InsufficientCapacity,
                    $"no spot capacity for {key.InstanceType} in {key.Zone} now") { CloudCode = "InsufficientInstanceCapacity" };
            }

            var machine = new LocalMachine
            {
                Id = $"lm-{Guid.NewGuid():N}"[..15],
                ClientToken = request.ClientToken,
                Offering = key,
                Tags = new Dictionary<string, string>(request.Tags),
                LaunchedAt = now,
                Port = FreeLoopbackPort(),
                Agent = request.Agent,
            };
            state.Machines.Add(machine);
            store.Save(state);
            Track(ProvisionAsync(machine));
            log.LocalMachineLaunched(machine.Id, key);
            return machine.ToCloudMachine();
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task TerminateAsync(string machineId, CancellationToken ct)
    {
        LocalMachine? machine;
        await gate.WaitAsync(ct);
        try
        {
            machine = state.Machines.FirstOrDefault(m => m.Id == machineId);
            if (machine is null || machine.State == MachineState.Terminated)
                return;
            machine.State = MachineState.ShuttingDown;
            store.Save(state);
        }
        finally
        {
            gate.Release();
        }
        if (machine.Pid is { } pid && machine.ProcessStartedAt is { } started)
            await AgentProcess.StopAsync(pid, started, options.GracefulStopTimeout);
        await WithGateAsync(() => { End(machine, "terminated on request"); });
    }

    public async Task<CloudMachine?> GetAsync(string machineId, CancellationToken ct)
    {
        await StepAsync(ct);
        await gate.WaitAsync(ct);
        try
        {
            return state.Machines.FirstOrDefault(m => m.Id == machineId && m.State != MachineState.Terminated)?.ToCloudMachine();
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task<IReadOnlyList<CloudMachine>> ListAsync(IReadOnlyDictionary<string, string> tags, CancellationToken ct)
    {
        await StepAsync(ct);
        await gate.WaitAsync(ct);
        try
        {
            return state.Machines
                .Where(m => m.State != MachineState.Terminated && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && v == t.Value))
                .Select(m => m.ToCloudMachine()).ToList();
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Terminates every machine of the local runtime (`skyserve local down`).</summary>
    public async Task<int> TerminateAllAsync(CancellationToken ct)
    {
        var machines = await ListAsync(new Dictionary<string, string>(), ct);
        await Task.WhenAll(machines.Select(m => TerminateAsync(m.Id, ct)));
        return machines.Count;
    }

    public IAsyncEnumerable<InterruptionNotice> WatchInterruptionsAsync(CancellationToken ct) => notices.WatchAsync(ct);

    /// <summary>
    /// One look at the market at the current time: reclaim spot machines above each zone's capacity
    /// (with a notice), kill those whose notice has run out, and notice processes that died.
    /// Runs every <see cref="LocalProviderOptions.MarketInterval"/>; tests call it directly.
    /// </summary>
    public Task StepAsync(CancellationToken ct = default) => WithGateAsync(() =>
    {
        var now = time.GetUtcNow();
        var changed = false;
        foreach (var zone in market.Zones)
        {
            var capacity = zone.SpotCapacity.CapacityAt(clock.SinceStart(now));
            var live = UnnoticedSpotMachines(zone).Select(m => (m.Id, m.LaunchedAt)).ToList();
            foreach (var id in PreemptionPlanner.Plan(live, capacity))
            {
                var machine = state.Machines.First(m => m.Id == id);
                machine.NoticeDeadline = now + options.ToReal(options.NoticeLead);
                metadata.PostNotice(id, machine.NoticeDeadline.Value);
                notices.Publish(new InterruptionNotice(id, InterruptionKind.Preemption, machine.NoticeDeadline.Value, now));
                log.SpotCapacityFell(zone, capacity, id, machine.NoticeDeadline);
                changed = true;
            }
        }
        foreach (var machine in state.Machines.Where(m => m.IsLive).ToList())
        {
            if (machine.NoticeDeadline <= now)
            {
                if (machine.Pid is { } pid && machine.ProcessStartedAt is { } started)
                    AgentProcess.Kill(pid, started);
                changed |= End(machine, "preempted: spot capacity reclaimed");
            }
            else if (machine.State == MachineState.Running && !IsProcessAlive(machine))
            {
                changed |= End(machine, "the agent process exited");
            }
        }
        if (changed)
            store.Save(state);
    }, ct);

    private int SpareSpotCapacity(LocalZone zone, DateTimeOffset now)
    {
        var capacity = zone.SpotCapacity.CapacityAt(clock.SinceStart(now));
        return capacity == int.MaxValue ? int.MaxValue : capacity - UnnoticedSpotMachines(zone).Count();
    }

    private static bool IsProcessAlive(LocalMachine machine)
    {
        if (machine.Pid is not { } pid || machine.ProcessStartedAt is not { } started)
            return false;
        using var process = AgentProcess.Find(pid, started);
        return process is not null;
    }

    private IEnumerable<LocalMachine> UnnoticedSpotMachines(LocalZone zone) =>
        state.Machines.Where(m => m.Offering.Spot && m.IsLive && m.NoticeDeadline is null && zone.Contains(m.Offering));

    private async Task ProvisionAsync(LocalMachine machine)
    {
        try
        {
            if (options.ProvisioningDelay > TimeSpan.Zero)
                await Task.Delay(options.ProvisioningDelay, time, stopping.Token);
            await WithGateAsync(() =>
            {
                if (machine.State != MachineState.Pending)
                    return;
                var logFile = Path.Combine(options.StateDirectory, "logs", $"{machine.Id}.log");
                var workDirectory = Path.Combine(options.StateDirectory, "work", machine.Id);
                var command = AgentArguments.For(agentDll, machine, metadata.UrlFor(machine.Id), workDirectory, options.ModelRoot);
                (machine.Pid, machine.ProcessStartedAt) = AgentProcess.Start(command, machine, logFile);
                machine.State = MachineState.Running;
                store.Save(state);
            }, stopping.Token);
        }
        catch (OperationCanceledException)
        {
            // The provider is stopping: the machine stays Pending and is provisioned after the restart.
        }
        catch (Exception e)
        {
            log.AgentStartFailed(e, machine.Id);
            await WithGateAsync(() => { End(machine, $"failed to start: {e.Message}"); });
        }
    }

    /// <summary>After a restart: reattach to agents that are still alive, finish what was under way.</summary>
    private async Task RecoverAsync()
    {
        var now = time.GetUtcNow();
        foreach (var machine in state.Machines.Where(m => m.State != MachineState.Terminated))
        {
            if (machine.NoticeDeadline is { } deadline)
                metadata.PostNotice(machine.Id, deadline);
            if (machine.State == MachineState.Pending && machine.Pid is null)
                Track(ProvisionAsync(machine));
            else if (machine.State == MachineState.ShuttingDown)
            {
                // A terminate was under way when the controller stopped: finish it.
                if (machine.Pid is { } pid && machine.ProcessStartedAt is { } started)
                    await AgentProcess.StopAsync(pid, started, options.GracefulStopTimeout);
                End(machine, "terminated on request");
            }
            else if (!IsProcessAlive(machine))
                End(machine, "the agent process was gone when the local runtime restarted");
        }
        state.Machines.RemoveAll(m => m.State == MachineState.Terminated && m.EndedAt < now - TimeSpan.FromDays(1));
        store.Save(state);
        await StepAsync();
    }

    private bool End(LocalMachine machine, string reason)
    {
        if (machine.State == MachineState.Terminated)
            return false;
        machine.State = MachineState.Terminated;
        machine.EndReason = reason;
        machine.EndedAt = time.GetUtcNow();
        store.Save(state);
        log.LocalMachineEnded(machine.Id, reason);
        return true;
    }

    private async Task RunMarketAsync()
    {
        using var timer = new PeriodicTimer(options.MarketInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping.Token))
            {
                try
                {
                    await StepAsync(stopping.Token);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.MarketStepFailed(e);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task WithGateAsync(Action action, CancellationToken ct = default)
    {
        await gate.WaitAsync(ct);
        try
        {
            action();
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Keeps background work (provisioning, the market loop) so that disposal can wait for it.</summary>
    private void Track(Task task)
    {
        lock (background)
        {
            background.RemoveAll(t => t.IsCompleted);
            background.Add(task);
        }
    }

    private int FreeLoopbackPort()
    {
        var taken = state.Machines.Where(m => m.State != MachineState.Terminated).Select(m => m.Port).ToHashSet();
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (!taken.Contains(port))
                return port;
        }
    }

    /// <summary>Stops the market and the metadata endpoint. Machines keep running: they belong to the cloud, not to this process.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
            return;
        await stopping.CancelAsync();
        Task[] pending;
        lock (background)
            pending = background.ToArray();
        await Task.WhenAll(pending).ContinueWith(_ => { }, TaskScheduler.Default);
        await metadata.DisposeAsync();
        stopping.Dispose();
    }
}

internal static partial class LocalCloudProviderLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "launched {Machine} ({Offering})")]
    public static partial void LocalMachineLaunched(this ILogger logger, string machine, OfferingKey offering);

    [LoggerMessage(Level = LogLevel.Information, Message = "spot capacity in {Zone} fell to {Capacity}: {Machine} is reclaimed at {Deadline}")]
    public static partial void SpotCapacityFell(this ILogger logger, LocalZone zone, int capacity, string machine, DateTimeOffset? deadline);

    [LoggerMessage(Level = LogLevel.Error, Message = "could not start the agent of {Machine}")]
    public static partial void AgentStartFailed(this ILogger logger, Exception exception, string machine);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Machine} ended: {Reason}")]
    public static partial void LocalMachineEnded(this ILogger logger, string machine, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "the local spot market's step failed")]
    public static partial void MarketStepFailed(this ILogger logger, Exception exception);
}
