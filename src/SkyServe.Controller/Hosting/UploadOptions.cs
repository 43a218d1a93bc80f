namespace SkyServe.Controller.Hosting;

/// <summary>The archives <c>skyserve up</c> uploads (a spec's <c>workdir</c> and local <c>file_mounts</c>): section <c>SkyServe:Uploads</c>.</summary>
public sealed class UploadOptions
{
    /// <summary>
    /// The largest archive accepted, in bytes. 64 MiB by default: an archive is one database row (so that every
    /// controller sharing PostgreSQL serves it), written and read whole, and code plus small data fit far below it;
    /// models and data sets belong in a bucket (<c>file_mounts</c> from <c>s3://</c>, <c>gs://</c>, ...), not here.
    /// </summary>
    public long MaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>How long an archive no service version names is kept before the retention job deletes it (an upload in progress has no version yet).</summary>
    public TimeSpan KeepUnreferencedFor { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A database row holds at most 1 GB (PostgreSQL's bytea); the archive is also held in memory once.</summary>
    public const long MaxAllowedBytes = 1L << 30;
}
