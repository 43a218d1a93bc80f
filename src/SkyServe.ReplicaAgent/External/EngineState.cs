namespace SkyServe.ReplicaAgent.External;

/// <summary>Where the supervised engine is in its life (snake_case on /health).</summary>
public enum EngineState
{
    /// <summary>The spec's setup runs.</summary>
    SettingUp,
    /// <summary>Setup exited non-zero: the engine is never started (terminal).</summary>
    SetupFailed,
    /// <summary>The run command is started and its port does not accept connections yet.</summary>
    Starting,
    /// <summary>Its port accepts connections: requests are forwarded.</summary>
    Running,
    /// <summary>It exited; it is started again after a back-off.</summary>
    Restarting,
    /// <summary>It exited too many times in a row (terminal).</summary>
    Failed,
    /// <summary>The agent is shutting down and stops it.</summary>
    Stopping,
    Stopped,
}
