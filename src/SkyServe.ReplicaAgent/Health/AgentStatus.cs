namespace SkyServe.ReplicaAgent.Health;

/// <summary>
/// The "status" of /health. Interrupted wins over the rest: it carries the notice the controller needs; failed
/// (the external engine's setup failed, or it exited too often) wins over draining.
/// </summary>
public enum AgentStatus
{
    Ok,
    Interrupted,
    Draining,
    Failed,
}
