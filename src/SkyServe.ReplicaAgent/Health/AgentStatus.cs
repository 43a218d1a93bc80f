namespace SkyServe.ReplicaAgent.Health;

/// <summary>The "status" of /health. Interrupted wins over draining: it carries the notice the controller needs.</summary>
public enum AgentStatus
{
    Ok,
    Interrupted,
    Draining,
}
