namespace SkyServe.ReplicaAgent.External;

/// <summary>The engine's part of /health (snake_case on the wire). <c>Workdir</c>: where setup and run execute (<c>~/sky_workdir</c> with a spec workdir).</summary>
public sealed record EngineStatus(
    EngineState State,
    int? Pid,
    int Port,
    int Restarts,
    int? LastExitCode,
    DateTimeOffset? StartedAt,
    string? Detail,
    string LogFile,
    string? Workdir = null);
