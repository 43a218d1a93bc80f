using System.Globalization;
using System.Net;
using System.Net.Sockets;
using SkyServe.Contracts.Agent;
using SkyServe.Core.Hosting;
using SkyServe.Core.Security;
using SkyServe.ReplicaAgent.Files;
using SkyServe.ReplicaAgent.Health;
using SkyServe.ReplicaAgent.Hosting;

namespace SkyServe.ReplicaAgent.External;

/// <summary>
/// Supervises the spec's <c>run:</c> command: runs <c>setup:</c> once (a marker file remembers success), starts
/// the engine in its own process group with SKYSERVE_REPLICA_PORT and PORT set, waits for that port, starts it
/// again with a growing back-off when it exits (a bounded number of times in a row), and on shutdown sends the
/// group SIGTERM, then SIGKILL after the drain timeout. Everything it prints goes to the <see cref="EngineLog"/>.
/// Before setup it learns the addresses of the replica's nodes (<see cref="NodeDiscovery"/>) and gives both commands
/// SkyPilot's SKYPILOT_NODE_IPS and SKYPILOT_SETUP_NODE_IPS (the other SkyPilot variables come with its environment).
/// </summary>
public sealed class ExternalEngine : IHostedService, IEngineHealth, IDisposable
{
    private readonly ExternalEngineOptions options;
    private readonly string run;
    private readonly TimeSpan stopTimeout;
    private readonly EngineLog log;
    private readonly SetupMarker marker;
    private readonly ILogger<ExternalEngine> logger;
    private readonly TimeProvider time;
    private readonly NodeDiscovery? nodes;
    private readonly AgentOptions agent;
    private readonly Dictionary<string, string> environment;
    private readonly CancellationTokenSource stopping = new();
    private readonly HttpClient probe = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan };
    private readonly Lock gate = new();
    private ProcessGroup? current;
    private Task loop = Task.CompletedTask;
    private EngineState state = EngineState.Starting;
    private string? detail = "not started yet";
    private int restarts;
    private int? lastExitCode;
    private bool stopRequested;
    private string runDirectory;

    /// <param name="nodes">Where the node addresses come from; null: none are given (an agent started by hand).</param>
    public ExternalEngine(ExternalEngineOptions options, AgentOptions agent, EngineLog log, ILogger<ExternalEngine> logger, TimeProvider time,
        NodeDiscovery? nodes = null)
    {
        this.nodes = nodes;
        this.options = options;
        run = options.Run ?? throw new ArgumentException("the external engine needs a run command", nameof(options));
        stopTimeout = agent.DrainTimeout;
        this.log = log;
        this.logger = logger;
        this.time = time;
        this.agent = agent;
        WorkDirectory = options.ResolveWorkDirectory(agent.MachineId);
        runDirectory = WorkDirectory;
        marker = new SetupMarker(Path.Combine(WorkDirectory, ".skyserve", "setup.done"));
        Port = options.Port > 0 ? options.Port : FreeLoopbackPort();
        var port = Port.ToString(CultureInfo.InvariantCulture);
        environment = new Dictionary<string, string> { ["SKYSERVE_REPLICA_PORT"] = port, ["PORT"] = port };
        if (options.Home is { } home)
            environment["HOME"] = Path.GetFullPath(home);
    }

    /// <summary>The agent's own folder: the setup marker and the logs are in its .skyserve/ folder; setup and run execute here without a spec workdir.</summary>
    public string WorkDirectory { get; }

    /// <summary>Where setup and run execute: <c>~/sky_workdir</c> once a spec workdir is in place, else <see cref="WorkDirectory"/>.</summary>
    public string RunDirectory { get { lock (gate) return runDirectory; } }

    /// <summary>The port the engine is told to listen on; the agent forwards to 127.0.0.1 on it.</summary>
    public int Port { get; }

    public Uri Address => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>True while the engine's port accepts connections, as far as the agent knows.</summary>
    public bool IsServing { get { lock (gate) return state == EngineState.Running; } }

    public Readiness Readiness
    {
        get
        {
            lock (gate)
            {
                return state switch
                {
                    EngineState.Running => Readiness.Ready,
                    EngineState.SettingUp => new Readiness(false, "setting_up", detail ?? "the spec's setup command runs"),
                    EngineState.Starting => new Readiness(false, "engine_starting", $"the engine is starting; waiting for port {Port}"),
                    EngineState.Restarting => new Readiness(false, "engine_restarting", detail),
                    EngineState.SetupFailed or EngineState.Failed => new Readiness(false, "engine_failed", detail),
                    _ => new Readiness(false, "engine_stopped", "the agent is shutting down"),
                };
            }
        }
    }

    public string? Failure
    {
        get { lock (gate) return state is EngineState.SetupFailed or EngineState.Failed ? detail : null; }
    }

    public EngineStatus Status
    {
        get
        {
            lock (gate)
                return new EngineStatus(state, current is { } group && !group.Exited.IsCompleted ? group.Id : null, Port, restarts,
                    lastExitCode, current?.StartedAt, detail, log.FilePath, runDirectory);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        OwnerOnly.CreateDirectory(WorkDirectory);
        if (options.Home is { } home)
            OwnerOnly.CreateDirectory(home);
        loop = Task.Run(() => SuperviseAsync(stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>SIGTERM to the engine's group, SIGKILL after the drain timeout. Runs after the server stopped taking requests.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        ProcessGroup? group;
        lock (gate)
        {
            stopRequested = true;
            group = current;
            if (state is not (EngineState.SetupFailed or EngineState.Failed))
                Set(EngineState.Stopping, "the agent is shutting down");
        }
        await stopping.CancelAsync();
        if (group is not null && group.IsAlive)
        {
            Note($"the agent is shutting down: SIGTERM to process group {group.Id}; SIGKILL after {(long)stopTimeout.TotalMilliseconds} ms");
            if (await group.StopAsync(stopTimeout))
                Note($"process group {group.Id} was still running after {(long)stopTimeout.TotalMilliseconds} ms: killed (SIGKILL)");
            else
                Note($"process group {group.Id} exited");
        }
        await loop;
        lock (gate)
        {
            if (state == EngineState.Stopping)
                Set(EngineState.Stopped, "the agent shut down");
        }
    }

    /// <summary>Whether the engine answers 200 to a GET of <paramref name="path"/> (within 15 s).</summary>
    public async Task<bool> AnswersOkAsync(string path, CancellationToken ct)
    {
        if (!IsServing)
            return false;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        try
        {
            using var response = await probe.GetAsync(new Uri(Address, path.TrimStart('/')), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return false;
        }
    }

    private async Task SuperviseAsync(CancellationToken ct)
    {
        try
        {
            await LearnNodesAsync(ct);
            if (options.Files is { IsEmpty: false } files && !await StageFilesAsync(files, ct))
                return;
            if (options.Setup is { } setup && !await SetUpAsync(setup, ct))
                return;
            var inARow = 0;
            while (!ct.IsCancellationRequested)
            {
                var group = Launch(run, "run", EngineState.Starting, $"waiting for the engine to listen on port {Port}");
                if (group is null)
                    return;
                var portOpen = WaitForPortAsync(group, ct);
                var exitCode = await group.Exited.WaitAsync(ct);
                await portOpen;
                var ranFor = time.GetUtcNow() - group.StartedAt;
                await group.KillLeftoversAsync();
                inARow = ranFor >= options.StableAfter ? 1 : inARow + 1;
                string exited;
                lock (gate)
                {
                    lastExitCode = exitCode;
                    exited = $"the engine (pid {group.Id}) exited with code {exitCode} after {ranFor.TotalSeconds:0.#} s";
                    if (inARow > options.MaxRestarts)
                    {
                        Set(EngineState.Failed, $"{exited}; it exited {inARow} times in a row, so it is not started again (see the engine log)");
                        break;
                    }
                }
                var delay = RestartDelay(inARow);
                lock (gate)
                    Set(EngineState.Restarting, $"{exited}; starting it again in {delay.TotalSeconds:0.#} s");
                Note($"{exited}; starting it again in {delay.TotalSeconds:0.#} s ({inARow} of at most {options.MaxRestarts} restarts in a row)");
                logger.EngineRestarting(exited, delay.TotalSeconds);
                await Task.Delay(delay, time, ct);
                lock (gate)
                    restarts++;
            }
            if (Failure is { } failure)
            {
                Note(failure);
                logger.EngineFailed(failure);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            lock (gate)
                Set(EngineState.Failed, $"the agent could not run the engine: {e.Message}");
            Note($"the agent could not run the engine: {e.Message}");
            logger.EngineRunFailed(e);
        }
    }

    /// <summary>Waits for every node's address (a multi-node replica's come from the controller) and puts them in the commands' environment.</summary>
    private async Task LearnNodesAsync(CancellationToken ct)
    {
        if (nodes is null)
            return;
        if (nodes.NumNodes > 1)
            lock (gate)
                Set(EngineState.SettingUp, $"waiting for the addresses of the replica's {nodes.NumNodes} nodes");
        var ips = string.Join('\n', await nodes.AddressesAsync(Note, ct));
        lock (gate)
        {
            environment[SkyPilotVariables.NodeIps] = ips;
            environment[SkyPilotVariables.SetupNodeIps] = ips;
        }
        Note($"the replica's node addresses (head first): {ips.Replace('\n', ' ')}");
    }

    /// <summary>Puts the workdir and file mounts in place (<see cref="TaskFilesStager"/>); false, with the replica failed as by setup, when that fails.</summary>
    private async Task<bool> StageFilesAsync(Contracts.Agent.TaskFiles files, CancellationToken ct)
    {
        lock (gate)
            Set(EngineState.SettingUp, "fetching the workdir and file mounts");
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromMinutes(30) };
        var stager = new TaskFilesStager(new ControllerBlobs(agent.ControllerUrl, agent.ControllerToken, http), http,
            Environment.GetEnvironmentVariable, line =>
            {
                Note(line);
                logger.TaskFilesStep(line);
            });
        try
        {
            var workdir = await stager.StageAsync(files, HomePaths.Home(options.Home), ct);
            if (workdir is not null)
                lock (gate)
                    runDirectory = workdir;
            return true;
        }
        catch (TaskFilesException e)
        {
            var failure = $"the workdir and file mounts could not be put in place; setup and the engine are not started: {e.Message}";
            lock (gate)
                Set(EngineState.SetupFailed, failure);
            Note(failure);
            logger.SetupFailed(failure, log.FilePath);
            return false;
        }
    }

    /// <summary>Runs setup unless its marker says it succeeded before; false when it failed (or the agent stops).</summary>
    private async Task<bool> SetUpAsync(string setup, CancellationToken ct)
    {
        if (marker.IsDone(setup))
        {
            Note($"setup already succeeded on this machine ({marker.FilePath}); not run again");
            return true;
        }
        var group = Launch(setup, "setup", EngineState.SettingUp, "the spec's setup command runs");
        if (group is null)
            return false;
        var exitCode = await group.Exited.WaitAsync(ct);
        await group.KillLeftoversAsync();
        if (exitCode != 0)
        {
            var failure = $"setup exited with code {exitCode}; the engine is not started (the engine log has setup's output)";
            lock (gate)
            {
                lastExitCode = exitCode;
                Set(EngineState.SetupFailed, failure);
            }
            Note(failure);
            logger.SetupFailed(failure, log.FilePath);
            return false;
        }
        marker.MarkDone(setup);
        Note($"setup succeeded (recorded in {marker.FilePath})");
        return true;
    }

    /// <summary>Starts a command in its own group unless the agent is stopping (then null).</summary>
    private ProcessGroup? Launch(string command, string what, EngineState next, string nextDetail)
    {
        lock (gate)
        {
            if (stopRequested)
                return null;
            Note($"{what}: bash -c {Quote(command)} (in {runDirectory}, PORT={Port})");
            current?.Dispose();
            current = ProcessGroup.Start(command, runDirectory, environment, log.Append, time);
            Note($"{what}: started as process group {current.Id}");
            Set(next, nextDetail);
            return current;
        }
    }

    private async Task WaitForPortAsync(ProcessGroup group, CancellationToken ct)
    {
        try
        {
            while (!group.Exited.IsCompleted)
            {
                if (await AcceptsConnectionsAsync(ct))
                {
                    lock (gate)
                    {
                        if (current != group || state != EngineState.Starting)
                            return;
                        Set(EngineState.Running, $"listening on port {Port}");
                    }
                    var after = time.GetUtcNow() - group.StartedAt;
                    Note($"the engine listens on port {Port} ({after.TotalSeconds:0.#} s after its start): forwarding requests to it");
                    logger.EngineListening(Port);
                    return;
                }
                await Task.WhenAny(group.Exited, Task.Delay(TimeSpan.FromMilliseconds(100), ct));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<bool> AcceptsConnectionsAsync(CancellationToken ct)
    {
        using var client = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false; // no answer within a second: try again
        }
    }

    private TimeSpan RestartDelay(int inARow) => new Backoff(options.RestartDelay, options.MaxRestartDelay).DelayAfter(inARow);

    // Called under the gate. Once the agent stops, only the states of stopping and failing may follow.
    private void Set(EngineState next, string? why)
    {
        if (stopRequested && next is not (EngineState.Stopping or EngineState.Stopped or EngineState.SetupFailed or EngineState.Failed))
            return;
        state = next;
        detail = why;
    }

    private void Note(string text) => log.Note(text, time.GetUtcNow());

    private static string Quote(string command) => "'" + command.Replace("'", "'\\''") + "'";

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // Idempotent: the container disposes it once as the engine and once as a hosted service.
    public void Dispose()
    {
        lock (gate)
            current?.Dispose();
        stopping.Dispose();
        probe.Dispose();
    }
}
