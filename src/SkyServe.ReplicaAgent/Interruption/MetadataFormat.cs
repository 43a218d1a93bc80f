namespace SkyServe.ReplicaAgent.Interruption;

/// <summary>Which cloud's instance metadata service the watcher speaks. GCP and Azure come later.</summary>
public enum MetadataFormat
{
    /// <summary>EC2 IMDSv2: session token, then spot/instance-action.</summary>
    Aws,
}
