namespace SkyServe.Providers.Docker;

/// <summary>A container as a Docker host lists it (no Docker.DotNet type leaves <see cref="DockerHostClient"/>).</summary>
/// <param name="State">Docker's word: created, running, paused, restarting, removing, exited or dead.</param>
/// <param name="Status">Docker's human-readable status, e.g. "Exited (137) 2 seconds ago".</param>
public sealed record DockerContainer(string Id, string Name, IReadOnlyDictionary<string, string> Labels, string State, string Status, DateTimeOffset Created)
{
    /// <summary>Ended (exited, dead): the machine is gone, only its remains are left.</summary>
    public bool HasEnded => State is "exited" or "dead";

    public MachineState MachineState => State switch
    {
        "running" or "paused" => MachineState.Running,
        "removing" => MachineState.ShuttingDown,
        "exited" or "dead" => MachineState.Terminated,
        _ => MachineState.Pending, // created, restarting
    };
}
