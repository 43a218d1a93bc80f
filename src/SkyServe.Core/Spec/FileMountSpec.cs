namespace SkyServe.Core.Spec;

/// <summary>
/// One <c>file_mounts</c> entry: what appears at <see cref="Target"/> on every replica machine. The source is a local
/// path (uploaded with the spec by the CLI), an <c>https://</c> URL, or a bucket URI (<c>s3://</c>, <c>gs://</c>,
/// <c>r2://</c>, an Azure blob URL) that the replica fetches with the machine's credentials.
/// </summary>
public sealed record FileMountSpec
{
    /// <summary>The path on the replica, absolute or under <c>~</c>.</summary>
    public required string Target { get; init; }

    /// <summary>Local path or URI; null for a storage entry that names a bucket (<see cref="BucketName"/>) without a source.</summary>
    public string? Source { get; init; }

    /// <summary>SkyPilot's storage <c>name</c>: the bucket to use (or create) when the entry is a mapping.</summary>
    public string? BucketName { get; init; }

    /// <summary>SkyPilot's storage <c>store</c> (<c>s3</c>, <c>gcs</c>, <c>azure</c>, <c>r2</c>, ...); null: from the source.</summary>
    public string? Store { get; init; }

    public FileMountMode Mode { get; init; } = FileMountMode.Copy;

    /// <summary>SkyPilot's storage <c>persistent</c>: keep a bucket this entry created after the service goes.</summary>
    public bool Persistent { get; init; } = true;

    /// <summary>True when the entry was written as a mapping (a SkyPilot storage object) rather than a plain source.</summary>
    public bool IsStorage { get; init; }

    public FileMountSourceKind SourceKind => FileMountSources.KindOf(Source);
}

/// <summary>SkyPilot's storage modes. A plain <c>target: source</c> entry copies.</summary>
public enum FileMountMode
{
    Copy,
    Mount,
    MountCached,
}

/// <summary>Where a file mount's bytes come from.</summary>
public enum FileMountSourceKind
{
    None,
    Local,
    Https,
    S3,
    Gcs,
    R2,
    AzureBlob,
}

public static class FileMountSources
{
    public static FileMountSourceKind KindOf(string? source) => source switch
    {
        null => FileMountSourceKind.None,
        _ when source.StartsWith("s3://", StringComparison.Ordinal) => FileMountSourceKind.S3,
        _ when source.StartsWith("gs://", StringComparison.Ordinal) => FileMountSourceKind.Gcs,
        _ when source.StartsWith("r2://", StringComparison.Ordinal) => FileMountSourceKind.R2,
        _ when source.StartsWith("https://", StringComparison.Ordinal) && IsAzureBlobHost(source) => FileMountSourceKind.AzureBlob,
        _ when source.StartsWith("https://", StringComparison.Ordinal) || source.StartsWith("http://", StringComparison.Ordinal) => FileMountSourceKind.Https,
        _ => FileMountSourceKind.Local,
    };

    public static string ToSpecName(this FileMountMode mode) => mode switch
    {
        FileMountMode.Copy => "COPY",
        FileMountMode.Mount => "MOUNT",
        FileMountMode.MountCached => "MOUNT_CACHED",
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    public static readonly IReadOnlyList<string> ModeNames = ["COPY", "MOUNT", "MOUNT_CACHED"];

    public static FileMountMode ParseMode(string name) => name switch
    {
        "MOUNT" => FileMountMode.Mount,
        "MOUNT_CACHED" => FileMountMode.MountCached,
        _ => FileMountMode.Copy,
    };

    private static bool IsAzureBlobHost(string source) =>
        Uri.TryCreate(source, UriKind.Absolute, out var uri) && uri.Host.EndsWith(".blob.core.windows.net", StringComparison.OrdinalIgnoreCase);
}
