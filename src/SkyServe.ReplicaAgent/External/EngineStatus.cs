namespace SkyServe.ReplicaAgent.External;

/// <summary>The engine's part of /health (snake_case on the wire).</summary>
public sealed record EngineStatus(
    EngineState State,
    int? Pid,
    int Port,
    int Restarts,
    int? LastExitCode,
    DateTimeOffset? StartedAt,
    string? Detail,
    string LogFile);
