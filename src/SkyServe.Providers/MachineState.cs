namespace SkyServe.Providers;

public enum MachineState
{
    /// <summary>Accepted; not yet running (provisioning, booting).</summary>
    Pending,
    Running,
    /// <summary>Being stopped: by us, or by the cloud after an interruption notice.</summary>
    ShuttingDown,
    Terminated,
}
