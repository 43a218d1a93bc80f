namespace SkyServe.ReplicaAgent.External;

/// <summary>
/// The external engine mode (<c>--run</c>): a spec's <c>run:</c> command (vLLM, TGI, any HTTP server) that the
/// agent supervises and puts behind its own port, after the spec's <c>setup:</c> has run once.
/// </summary>
public sealed record ExternalEngineOptions
{
    /// <summary>The spec's <c>run:</c>, started as <c>bash -c RUN</c> in its own process group. Required.</summary>
    public string? Run { get; init; }

    /// <summary>The spec's <c>setup:</c>, run once (<c>bash -c SETUP</c>) before the first start; null: none.</summary>
    public string? Setup { get; init; }

    /// <summary>The port the engine must listen on (given to it as SKYSERVE_REPLICA_PORT and PORT); 0: a free one.</summary>
    public int Port { get; init; }

    /// <summary>The working directory of setup and run; the setup marker and the engine's logs live in its .skyserve/ folder.</summary>
    public string? WorkDirectory { get; init; }

    /// <summary>
    /// The nodes of the agent's replica (the spec's <c>num_nodes</c>); above 1, the agent learns their addresses from the
    /// controller before setup (<see cref="NodeDiscovery"/>).
    /// </summary>
    public int NumNodes { get; init; } = 1;

    /// <summary>The spec's workdir and file mounts, put in place before setup (<see cref="Files.TaskFilesStager"/>); null: none.</summary>
    public Contracts.Agent.TaskFiles? Files { get; init; }

    /// <summary>
    /// The machine's home: <c>~</c> of the workdir (<c>~/sky_workdir</c>) and file mount targets, and $HOME of setup and
    /// run. Null: the agent's user's home (a cloud machine is the replica's alone; the local runtime gives each its own).
    /// </summary>
    public string? Home { get; init; }

    /// <summary>How many times in a row the engine may exit and be started again before the agent gives up.</summary>
    public int MaxRestarts { get; init; } = 5;

    /// <summary>The wait before the first restart; it doubles with every exit in a row, up to <see cref="MaxRestartDelay"/>.</summary>
    public TimeSpan RestartDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRestartDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>An engine that ran this long before it exited starts a fresh count of exits in a row.</summary>
    public TimeSpan StableAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Size at which the engine's log file is rotated (one older file is kept): at most twice this on disk.</summary>
    public long LogMaxBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary>The working directory: as given, else a folder per machine under the system's temporary folder.</summary>
    public string ResolveWorkDirectory(string machineId) =>
        Path.GetFullPath(WorkDirectory ?? Path.Combine(Path.GetTempPath(), $"skyserve-agent-{machineId}"));
}
