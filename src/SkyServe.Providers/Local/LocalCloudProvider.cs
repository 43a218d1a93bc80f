using SkyServe.Contracts.Notices;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SkyServe.Core.Spec;

namespace SkyServe.Providers.Local;

/// <summary>
/// The embedded default cloud: machines are ReplicaAgent processes on this machine; zones are simulated,
/// with spot capacity from a trace or a seeded random process. When a zone's capacity falls below the
/// spot machines running there, the newest surplus machines get an interruption notice (on the notice
/// stream, and through the metadata endpoint their agents poll, in their simulated cloud's format: AWS
/// IMDSv2, GCP metadata or Azure Scheduled Events) and are killed at its deadline. Agents are told the
/// controller's URL and their own token (<see cref="AgentSettings"/>) so that they report a notice at once.
/// </summary>
/// <remarks>
/// Several processes (the controllers of one deployment) may share one state directory: every call reads and changes
/// the state there under an inter-process lock (<see cref="SharedLocalState"/>), so each process sees and manages every
/// machine, whoever launched it. One of them at a time serves the metadata endpoint and runs the market
/// (<see cref="MetadataHost"/>); any of them starts an agent whose launcher died before its boot time. An agent keeps the
/// URL of the controller that launched it (its <c>--controller-url</c>): should that one be gone, its notice still
/// reaches the others through the agent's /health, which every controller's prober reads, and the notice stream of
/// every process that reads the state.
/// </remarks>
public sealed class LocalCloudProvider : ICloudProvider, IAsyncDisposable
{
    private readonly LocalProviderOptions options;
    private readonly LocalMarket market;
    private readonly TimeProvider time;
    private readonly ILogger log;
    private readonly SharedLocalState shared;
    private readonly MetadataHost metadata;
    private readonly SimulatedClock clock;
    private readonly string agentDll;
    private readonly NoticeBroadcaster notices = new();
    private readonly HashSet<string> published = [];
    private readonly CancellationTokenSource stopping = new();
    private readonly List<Task> background = [];
    private int disposed;

    private LocalCloudProvider(LocalProviderOptions options, LocalMarket market, TimeProvider time, ILogger log,
        SharedLocalState shared, MetadataHost metadata, DateTimeOffset epoch, string agentDll)
    {
        this.options = options;
        this.market = market;
        this.time = time;
        this.log = log;
        this.shared = shared;
        this.metadata = metadata;
        this.agentDll = agentDll;
        clock = new SimulatedClock(epoch, options.TimeCompression);
        Unavailable = new UnavailableOfferings(time, options.UnavailableOfferingTtl);
    }

    public IReadOnlyCollection<string> Clouds => market.Zones.Select(z => z.Cloud).Distinct().ToList();

    public UnavailableOfferings Unavailable { get; }

    /// <summary>Market time now: how far into the capacity traces the zones are.</summary>
    public TimeSpan SimulatedNow => clock.SinceStart(time.GetUtcNow());

    /// <summary>True while this process serves the runtime's metadata endpoint and runs its spot market.</summary>
    public bool RunsMarket => metadata.IsOwner;

    public static async Task<LocalCloudProvider> StartAsync(
        LocalProviderOptions options, LocalMarket market, TimeProvider? time = null, ILogger? log = null)
    {
        time ??= TimeProvider.System;
        log ??= NullLogger.Instance;
        var agentDll = options.AgentDll ?? ReplicaAgentLocation.Dll();
        if (!File.Exists(agentDll))
            throw new FileNotFoundException($"the ReplicaAgent to launch was not found at {agentDll}", agentDll);
        var shared = new SharedLocalState(options.StateDirectory, () => new LocalState { Epoch = time.GetUtcNow(), RuntimeId = NewRuntimeId() });
        var (epoch, runtimeId) = await shared.UpdateAsync(s =>
        {
            s.RuntimeId ??= NewRuntimeId(); // a file from before runtimes had one
            return (s.Epoch, s.RuntimeId);
        });
        var provider = new LocalCloudProvider(options, market, time, log, shared, new MetadataHost(shared, runtimeId, log), epoch, agentDll);
        try
        {
            await provider.RecoverAsync();
            await provider.metadata.TryTakeOverAsync(CancellationToken.None);
            provider.Track(provider.metadata.RunAsync(options.MetadataTakeoverInterval, provider.stopping.Token));
            if (options.MarketInterval > TimeSpan.Zero)
                provider.Track(provider.RunMarketAsync());
            await provider.StepAsync();
        }
        catch
        {
            await provider.DisposeAsync();
            throw;
        }
        return provider;
    }

    public Task<IReadOnlyList<CloudOffering>> ListOfferingsAsync(CancellationToken ct)
    {
        return Task.FromResult(Unavailable.Offer(market.Offerings));
    }

    public async Task<CloudMachine> LaunchAsync(LaunchRequest request, CancellationToken ct)
    {
        var (machine, created) = await ChangeAsync(state =>
        {
            // The token is looked up in the shared state: a launch retried through another process finds the first.
            if (state.Machines.FirstOrDefault(m => m.ClientToken == request.ClientToken) is { } existing)
                return (existing, false);

            var key = request.Offering;
            var instance = market.Find(key) ?? throw new CloudProviderException(CloudErrorKind.InvalidRequest,
                $"the local runtime offers no {key.InstanceType} in {key.Cloud}/{key.Region}/{key.Zone}");
            if (key.Spot && instance.SpotPerHour is null)
                throw new CloudProviderException(CloudErrorKind.InvalidRequest, $"{key.InstanceType} has no spot market in {key.Zone}");
            if (state.Machines.Count(m => m.IsLive) >= options.MaxMachines)
                throw new CloudProviderException(CloudErrorKind.QuotaExceeded,
                    $"the machine quota of {options.MaxMachines} is used up") { CloudCode = "MaxMachinesExceeded" };
            var now = time.GetUtcNow();
            if (key.Spot && SpareSpotCapacity(state, market.ZoneOf(key)!, now) <= 0)
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
                BootAt = now + options.ProvisioningDelay,
                Port = FreeLoopbackPort(state),
                Agent = request.Agent,
            };
            state.Machines.Add(machine);
            return (machine, true);
        }, ct);
        if (created)
        {
            Track(ProvisionWhenDueAsync(machine.Id, machine.BootAt!.Value));
            log.LocalMachineLaunched(machine.Id, machine.Offering);
            if (!request.Machine.IsDefault)
                log.MachineSettingsNotApplied(machine.Id, request.Machine.DiskSizeGb, request.Machine.DiskTier ?? "(none)",
                    request.Machine.ImageId ?? "(none)", string.Join(", ", request.Machine.Labels.Select(l => $"{l.Key}={l.Value}")));
        }
        return machine.ToCloudMachine();
    }

    public async Task TerminateAsync(string machineId, CancellationToken ct)
    {
        var process = await ChangeAsync(state =>
        {
            var machine = Find(state, machineId);
            if (machine is null || machine.State == MachineState.Terminated)
                return ((int Pid, DateTime StartedAt)?)null;
            machine.State = MachineState.ShuttingDown;
            machine.TerminateRequestedAt ??= time.GetUtcNow();
            return machine is { Pid: { } pid, ProcessStartedAt: { } started } ? (pid, started) : (0, default);
        }, ct);
        if (process is not { } stop)
            return;
        if (stop.Pid != 0)
            await AgentProcess.StopAsync(stop.Pid, stop.StartedAt, options.GracefulStopTimeout);
        await ChangeAsync(state => Find(state, machineId) is { } machine && End(machine, "terminated on request"), ct);
    }

    public Task<CloudMachine?> GetAsync(string machineId, CancellationToken ct) => ChangeAsync(state =>
    {
        Step(state);
        return Find(state, machineId) is { State: not MachineState.Terminated } machine ? machine.ToCloudMachine() : null;
    }, ct);

    public Task<IReadOnlyList<CloudMachine>> ListAsync(IReadOnlyDictionary<string, string> tags, CancellationToken ct) => ChangeAsync(state =>
    {
        Step(state);
        return (IReadOnlyList<CloudMachine>)state.Machines
            .Where(m => m.State != MachineState.Terminated && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && v == t.Value))
            .Select(m => m.ToCloudMachine()).ToList();
    }, ct);

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
    /// (with a notice), kill those whose notice has run out, notice processes that died, and finish what a process
    /// that died left undone. Runs every <see cref="LocalProviderOptions.MarketInterval"/> in the process that runs the
    /// market, before every Get and List in any process; tests call it directly.
    /// </summary>
    public Task StepAsync(CancellationToken ct = default) => ChangeAsync(state => { Step(state); return true; }, ct);

    /// <summary>The step, on the state read under the lock: every process deciding from the same file decides once.</summary>
    private void Step(LocalState state)
    {
        var now = time.GetUtcNow();
        foreach (var zone in market.Zones)
        {
            var capacity = zone.SpotCapacity.CapacityAt(clock.SinceStart(now));
            var live = UnnoticedSpotMachines(state, zone).Select(m => (m.Id, m.LaunchedAt)).ToList();
            foreach (var id in PreemptionPlanner.Plan(live, capacity))
            {
                var machine = state.Machines.First(m => m.Id == id);
                machine.NoticeDeadline = now + options.ToReal(options.NoticeLead);
                machine.NoticedAt = now;
                log.SpotCapacityFell(zone, capacity, id, machine.NoticeDeadline);
            }
        }
        foreach (var machine in state.Machines.Where(m => m.State != MachineState.Terminated).ToList())
        {
            if (machine.IsLive && machine.NoticeDeadline <= now)
            {
                if (machine.Pid is { } pid && machine.ProcessStartedAt is { } started)
                    AgentProcess.Kill(pid, started);
                End(machine, "preempted: spot capacity reclaimed");
            }
            else if (machine.State == MachineState.Running && !IsProcessAlive(machine))
                End(machine, "the agent process exited");
            else if (machine is { State: MachineState.Pending, Pid: null } && now >= (machine.BootAt ?? machine.LaunchedAt) + options.OrphanedWorkAfter)
                Provision(state, machine); // its launcher died before the boot time
            else if (machine.State == MachineState.ShuttingDown)
                FinishTerminate(machine, now);
        }
    }

    /// <summary>A terminate whose process died: done once the agent is gone; an agent still there past the grace is killed.</summary>
    private void FinishTerminate(LocalMachine machine, DateTimeOffset now)
    {
        if (!IsProcessAlive(machine))
            End(machine, "terminated on request");
        else if (now >= (machine.TerminateRequestedAt ?? now) + options.GracefulStopTimeout + options.OrphanedWorkAfter)
        {
            AgentProcess.Kill(machine.Pid!.Value, machine.ProcessStartedAt!.Value);
            End(machine, "terminated on request");
        }
    }

    private int SpareSpotCapacity(LocalState state, LocalZone zone, DateTimeOffset now)
    {
        var capacity = zone.SpotCapacity.CapacityAt(clock.SinceStart(now));
        return capacity == int.MaxValue ? int.MaxValue : capacity - UnnoticedSpotMachines(state, zone).Count();
    }

    private static bool IsProcessAlive(LocalMachine machine)
    {
        if (machine.Pid is not { } pid || machine.ProcessStartedAt is not { } started)
            return false;
        using var process = AgentProcess.Find(pid, started);
        return process is not null;
    }

    private static IEnumerable<LocalMachine> UnnoticedSpotMachines(LocalState state, LocalZone zone) =>
        state.Machines.Where(m => m.Offering.Spot && m.IsLive && m.NoticeDeadline is null && zone.Contains(m.Offering));

    private static LocalMachine? Find(LocalState state, string machineId) => state.Machines.FirstOrDefault(m => m.Id == machineId);

    /// <summary>The launcher's part: the agent starts at the boot time, unless another process started it already.</summary>
    private async Task ProvisionWhenDueAsync(string machineId, DateTimeOffset bootAt)
    {
        try
        {
            var wait = bootAt - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait, time, stopping.Token);
            await ChangeAsync(state =>
            {
                if (Find(state, machineId) is { State: MachineState.Pending, Pid: null } machine)
                    Provision(state, machine);
                return true;
            }, stopping.Token);
        }
        catch (OperationCanceledException)
        {
            // The provider is stopping: the machine stays Pending; another process of the runtime, or this one restarted, starts it.
        }
        catch (Exception e)
        {
            log.AgentStartFailed(e, machineId);
        }
    }

    /// <summary>Starts the agent and records its pid, under the lock: whichever process gets here first starts it, once.</summary>
    private void Provision(LocalState state, LocalMachine machine)
    {
        try
        {
            var logFile = Path.Combine(options.StateDirectory, "logs", $"{machine.Id}.log");
            var workDirectory = Path.Combine(options.StateDirectory, "work", machine.Id);
            // The stored port, not this process's server: whichever process serves it later, the agent polls the same URL.
            var metadataUrl = MetadataServer.UrlFor(state.MetadataPort, machine.Id);
            var homeDirectory = Path.Combine(options.StateDirectory, "home", machine.Id);
            var command = AgentArguments.For(agentDll, machine, metadataUrl, workDirectory, options.ModelRoot, homeDirectory);
            (machine.Pid, machine.ProcessStartedAt) = AgentProcess.Start(command, machine, logFile);
            machine.State = MachineState.Running;
        }
        catch (Exception e)
        {
            log.AgentStartFailed(e, machine.Id);
            End(machine, $"failed to start: {e.Message}");
        }
    }

    /// <summary>At start: reattach to agents that are still alive, finish what was under way.</summary>
    private async Task RecoverAsync()
    {
        var (due, terminating) = await ChangeAsync(state =>
        {
            var now = time.GetUtcNow();
            var due = new List<(string Id, DateTimeOffset BootAt)>();
            var terminating = new List<LocalMachine>();
            foreach (var machine in state.Machines.Where(m => m.State != MachineState.Terminated))
            {
                if (machine is { State: MachineState.Pending, Pid: null })
                    due.Add((machine.Id, machine.BootAt ?? machine.LaunchedAt)); // its launcher may be gone: start it when due
                else if (machine.State == MachineState.ShuttingDown)
                    terminating.Add(machine); // a terminate was under way when a controller stopped: finish it
                else if (!IsProcessAlive(machine))
                    End(machine, "the agent process was gone when the local runtime restarted");
            }
            state.Machines.RemoveAll(m => m.State == MachineState.Terminated && m.EndedAt < now - TimeSpan.FromDays(1));
            return (due, terminating);
        });
        foreach (var (id, bootAt) in due)
            Track(ProvisionWhenDueAsync(id, bootAt));
        foreach (var machine in terminating)
            if (machine.Pid is { } pid && machine.ProcessStartedAt is { } started)
                await AgentProcess.StopAsync(pid, started, options.GracefulStopTimeout);
        if (terminating.Count > 0)
            await ChangeAsync(state =>
            {
                foreach (var machine in terminating)
                    if (Find(state, machine.Id) is { } current)
                        End(current, "terminated on request");
                return true;
            });
    }

    private bool End(LocalMachine machine, string reason)
    {
        if (machine.State == MachineState.Terminated)
            return false;
        machine.State = MachineState.Terminated;
        machine.EndReason = reason;
        machine.EndedAt = time.GetUtcNow();
        log.LocalMachineEnded(machine.Id, reason);
        return true;
    }

    /// <summary>
    /// One change of the shared state; once saved (still under the lock), the metadata endpoint serves the notices it
    /// holds if this process serves it, and the notice stream gets every notice this process has not announced yet.
    /// </summary>
    private Task<T> ChangeAsync<T>(Func<LocalState, T> change, CancellationToken ct = default) =>
        shared.UpdateAsync(change, ct, saved: state =>
        {
            metadata.Sync(state);
            PublishNewNotices(state);
        });

    /// <summary>
    /// Every process announces each notice it finds, whichever process posted it: a controller's listener hears of a
    /// reclaim even when another process runs the market (the controllers' intake takes a repeated notice as known).
    /// A notice found before anyone watches (at start) counts as announced only once someone has been handed it.
    /// </summary>
    private void PublishNewNotices(LocalState state)
    {
        foreach (var machine in state.Machines)
            if (machine is { IsLive: true, NoticeDeadline: { } deadline } && !published.Contains(machine.Id)
                && notices.Publish(new InterruptionNotice(machine.Id, InterruptionKind.Preemption, deadline, machine.NoticedAt ?? time.GetUtcNow())))
                published.Add(machine.Id);
    }

    private async Task RunMarketAsync()
    {
        using var timer = new PeriodicTimer(options.MarketInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping.Token))
            {
                if (!metadata.IsOwner)
                    continue; // another process of the runtime runs the market
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

    /// <summary>Keeps background work (provisioning, the market loop) so that disposal can wait for it.</summary>
    private void Track(Task task)
    {
        lock (background)
        {
            background.RemoveAll(t => t.IsCompleted);
            background.Add(task);
        }
    }

    private static int FreeLoopbackPort(LocalState state)
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

    private static string NewRuntimeId() => Guid.NewGuid().ToString("N");

    /// <summary>
    /// Stops the market and the metadata endpoint (another process sharing the runtime takes them over). Machines keep
    /// running: they belong to the cloud, not to this process.
    /// </summary>
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

    [LoggerMessage(Level = LogLevel.Information,
        Message = "{Machine} is a local process: disk_size {DiskSizeGb} GB, disk_tier {DiskTier}, image_id {ImageId} and labels [{Labels}] do not apply to it")]
    public static partial void MachineSettingsNotApplied(this ILogger logger, string machine, int diskSizeGb, string diskTier, string imageId, string labels);

    [LoggerMessage(Level = LogLevel.Information, Message = "spot capacity in {Zone} fell to {Capacity}: {Machine} is reclaimed at {Deadline}")]
    public static partial void SpotCapacityFell(this ILogger logger, LocalZone zone, int capacity, string machine, DateTimeOffset? deadline);

    [LoggerMessage(Level = LogLevel.Error, Message = "could not start the agent of {Machine}")]
    public static partial void AgentStartFailed(this ILogger logger, Exception exception, string machine);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Machine} ended: {Reason}")]
    public static partial void LocalMachineEnded(this ILogger logger, string machine, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "the local spot market's step failed")]
    public static partial void MarketStepFailed(this ILogger logger, Exception exception);
}
