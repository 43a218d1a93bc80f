namespace SkyServe.Providers.Local;

/// <summary>Settings of the local runtime: where it keeps state, how fast simulated time runs, how machines start.</summary>
public sealed record LocalProviderOptions
{
    /// <summary>
    /// Machine registry, agent logs and the market's epoch live here, so a restart finds its machines again. Several
    /// processes (the controllers of one deployment) may share it: each sees and manages every machine.
    /// </summary>
    public required string StateDirectory { get; init; }

    /// <summary>The ReplicaAgent to start; by default the one built beside the program (<see cref="ReplicaAgentLocation"/>).</summary>
    public string? AgentDll { get; init; }

    /// <summary>
    /// What a relative <c>model.path</c> of a spec is relative to: the folder that holds config/ (the checkout's root
    /// when the controller runs from one). Null: the working directory.
    /// </summary>
    public string? ModelRoot { get; init; }

    /// <summary>Real time between a launch and the agent process starting (a VM's boot).</summary>
    public TimeSpan ProvisioningDelay { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Simulated seconds per real second: 60 plays one trace hour per minute.</summary>
    public double TimeCompression { get; init; } = 1;

    /// <summary>Lead time of an interruption notice, in simulated time (AWS gives 2 minutes).</summary>
    public TimeSpan NoticeLead { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>How often the spot market looks at capacity (real time). Zero: only when <see cref="LocalCloudProvider.StepAsync"/> is called.</summary>
    public TimeSpan MarketInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How often a process sharing the runtime tries to take over the metadata endpoint (and the market) from the
    /// process that serves it, which succeeds once that one is gone (real time).
    /// </summary>
    public TimeSpan MetadataTakeoverInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long work one process of the runtime has taken on is left to it before any other finishes it, that one having
    /// evidently died: starting a machine's agent (counted from its boot time), stopping one on terminate (counted from
    /// the request plus <see cref="GracefulStopTimeout"/>). Real time, on the provider's clock.
    /// </summary>
    public TimeSpan OrphanedWorkAfter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a spot offering refused for capacity stays filtered out (real time).</summary>
    public TimeSpan UnavailableOfferingTtl { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The account's machine quota: launches beyond it fail with QuotaExceeded.</summary>
    public int MaxMachines { get; init; } = 32;

    /// <summary>How long a terminated agent gets to drain before it is killed.</summary>
    public TimeSpan GracefulStopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The real duration of a simulated span.</summary>
    public TimeSpan ToReal(TimeSpan simulated) => simulated / TimeCompression;
}
