namespace SkyServe.ReplicaAgent.Interruption;

/// <summary>Which cloud's instance metadata service the watcher speaks.</summary>
public enum MetadataFormat
{
    /// <summary>EC2 IMDSv2: session token, then spot/instance-action.</summary>
    Aws,

    /// <summary>Compute Engine: instance/preempted and instance/maintenance-event, with Metadata-Flavor: Google.</summary>
    Gcp,

    /// <summary>Azure Instance Metadata Service: Scheduled Events (Preempt, Terminate), with Metadata: true.</summary>
    Azure,
}
