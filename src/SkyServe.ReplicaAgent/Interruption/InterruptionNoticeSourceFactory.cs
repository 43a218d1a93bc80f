namespace SkyServe.ReplicaAgent.Interruption;

/// <summary>Picks the notice source for a metadata format; GCP and Azure sources join the switch later.</summary>
public static class InterruptionNoticeSourceFactory
{
    public static IInterruptionNoticeSource Create(MetadataFormat format, Uri metadataUrl, TimeProvider time) => format switch
    {
        MetadataFormat.Aws => new AwsImdsNoticeSource(metadataUrl, time),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "no interruption notice source for this metadata format"),
    };
}
