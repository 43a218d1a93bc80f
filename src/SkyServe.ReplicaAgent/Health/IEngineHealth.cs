using SkyServe.ReplicaAgent.External;

namespace SkyServe.ReplicaAgent.Health;

/// <summary>What an engine that comes up after the agent (the external engine) adds to the agent's health and readiness.</summary>
public interface IEngineHealth
{
    /// <summary>Not ready while it sets up, starts or restarts, or after it failed.</summary>
    Readiness Readiness { get; }

    /// <summary>Why it can never serve (setup failed, too many exits in a row); null while it still can.</summary>
    string? Failure { get; }

    /// <summary>Its part of /health.</summary>
    EngineStatus Status { get; }
}
