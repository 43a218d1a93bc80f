namespace SkyServe.ReplicaAgent.Interruption;

/// <summary>Why the machine goes away, as far as the metadata service tells.</summary>
public enum InterruptionKind
{
    /// <summary>Spot capacity reclaimed (AWS instance-action, GCP preempted, Azure Preempt).</summary>
    Preemption,

    /// <summary>Host maintenance that stops the machine (GCP TERMINATE_ON_HOST_MAINTENANCE).</summary>
    Maintenance,

    /// <summary>The machine is deleted (Azure Terminate, e.g. a scale set scaling in).</summary>
    Termination,
}
