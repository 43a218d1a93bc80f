namespace SkyServe.ReplicaAgent.Interruption;

/// <summary>What the cloud will do to the machine (AWS names; GCP and Azure map onto them).</summary>
public enum InterruptionAction
{
    Terminate,
    Stop,
    Hibernate,
}
