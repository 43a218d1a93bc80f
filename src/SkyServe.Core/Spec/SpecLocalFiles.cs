namespace SkyServe.Core.Spec;

/// <summary>
/// The paths on the submitter's machine a spec names, which <c>skyserve up</c> and <c>update</c> upload with it: the
/// local <c>workdir</c> and <c>file_mounts</c> sources (packed as archives for replicas) and the <c>service.tls</c>
/// files (sent as they are, for load balancers).
/// </summary>
public static class SpecLocalFiles
{
    public static IReadOnlyList<SpecLocalFile> For(ServiceSpec spec)
    {
        var files = new List<SpecLocalFile>();
        if (spec.Workdir?.LocalPath is { } workdir)
            files.Add(new SpecLocalFile(SpecLocalFileKind.Workdir, "workdir", workdir, null));
        foreach (var mount in spec.FileMounts.Where(m => m.SourceKind == FileMountSourceKind.Local && m.Source is not null))
            files.Add(new SpecLocalFile(SpecLocalFileKind.FileMount, $"file_mounts.{mount.Target}", mount.Source!, mount.Target));
        if (spec.Service.Tls is { } tls)
        {
            files.Add(new SpecLocalFile(SpecLocalFileKind.TlsCertificate, "service.tls.certfile", tls.CertFile, null));
            files.Add(new SpecLocalFile(SpecLocalFileKind.TlsKey, "service.tls.keyfile", tls.KeyFile, null));
        }
        return files;
    }
}

/// <param name="Key">The spec key that names it, for messages.</param>
/// <param name="Path">As written: <c>~</c> is the home folder, a relative path is relative to the current directory.</param>
/// <param name="Target">The file mount's target; null for the others.</param>
public sealed record SpecLocalFile(SpecLocalFileKind Kind, string Key, string Path, string? Target);

public enum SpecLocalFileKind
{
    Workdir,
    FileMount,
    TlsCertificate,
    TlsKey,
}
