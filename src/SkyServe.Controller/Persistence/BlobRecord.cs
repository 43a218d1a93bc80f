namespace SkyServe.Controller.Persistence;

/// <summary>
/// An archive uploaded with a spec (a <c>workdir</c> or a local <c>file_mounts</c> source), stored by content so that
/// every controller sharing the database can serve it to replicas and the same bytes are kept once.
/// </summary>
public sealed class BlobRecord
{
    /// <summary><c>sha256:</c> and the lowercase hex digest of <see cref="Content"/>.</summary>
    public required string Digest { get; set; }
    public long Size { get; set; }
    public required byte[] Content { get; set; }
    public DateTime CreatedAt { get; set; }
}
