namespace SkyServe.Providers.Local;

/// <summary>A machine of the local runtime as the registry keeps it (mutable: changed only under the state's lock, <see cref="SharedLocalState"/>).</summary>
public sealed class LocalMachine
{
    public required string Id { get; init; }
    public required string ClientToken { get; init; }
    public required OfferingKey Offering { get; init; }
    public required Dictionary<string, string> Tags { get; init; }
    public required DateTimeOffset LaunchedAt { get; init; }
    public required int Port { get; init; }
    public required AgentSettings Agent { get; init; }
    /// <summary>When its agent is due to start (the launch plus the provisioning delay); null in files from before it was kept.</summary>
    public DateTimeOffset? BootAt { get; init; }
    public MachineState State { get; set; } = MachineState.Pending;
    public int? Pid { get; set; }
    /// <summary>The process's start time, to tell our process from a later one that reused the pid.</summary>
    public DateTime? ProcessStartedAt { get; set; }
    /// <summary>When a terminate set it ShuttingDown.</summary>
    public DateTimeOffset? TerminateRequestedAt { get; set; }
    /// <summary>Set once the market has reclaimed it: the notice's deadline.</summary>
    public DateTimeOffset? NoticeDeadline { get; set; }
    /// <summary>When the notice was posted.</summary>
    public DateTimeOffset? NoticedAt { get; set; }
    public string? EndReason { get; set; }
    public DateTimeOffset? EndedAt { get; set; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    public bool IsLive => State is MachineState.Pending or MachineState.Running;

    public CloudMachine ToCloudMachine() =>
        new(Id, ClientToken, Offering, State, new Dictionary<string, string>(Tags), LaunchedAt) { Endpoint = Endpoint };
}
