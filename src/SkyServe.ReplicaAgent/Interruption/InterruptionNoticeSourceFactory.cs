namespace SkyServe.ReplicaAgent.Interruption;

/// <summary>Picks the notice source for a metadata format.</summary>
public static class InterruptionNoticeSourceFactory
{
    public static IInterruptionNoticeSource Create(MetadataFormat format, Uri metadataUrl, TimeProvider time) => format switch
    {
        MetadataFormat.Aws => new AwsImdsNoticeSource(metadataUrl, time),
        MetadataFormat.Gcp => new GcpMetadataNoticeSource(metadataUrl, time),
        MetadataFormat.Azure => new AzureScheduledEventsNoticeSource(metadataUrl, time),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "no interruption notice source for this metadata format"),
    };
}
