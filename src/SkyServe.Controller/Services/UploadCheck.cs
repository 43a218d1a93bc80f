using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.EntityFrameworkCore;
using SkyServe.Controller.Persistence;
using SkyServe.Core.Spec;

namespace SkyServe.Controller.Services;

/// <summary>
/// A submission's uploads must match its spec: a local <c>workdir</c> and each local <c>file_mounts</c> source come
/// as an archive uploaded beforehand (<c>skyserve up</c> and <c>update</c> do both), and so do the <c>service.tls</c>
/// files; nothing else does, every upload named is stored, and the TLS files are a certificate and its key. Otherwise
/// the replicas would fail at boot, or load balancers could not serve the certificate; the submission is refused now.
/// </summary>
public static class UploadCheck
{
    /// <exception cref="InvalidRequestException">What is missing or does not belong, naming the entry and the archive.</exception>
    public static async Task RequireAsync(ControllerDb db, ServiceSpec spec, SpecUploads uploads, CancellationToken ct)
    {
        if (spec.Workdir is { LocalPath: { } local } && uploads.Workdir is null)
            throw new InvalidRequestException(
                $"the spec's workdir '{local}' is a local folder, and no archive of it came with the spec: upload it with `skyserve up` " +
                "(or `skyserve update`), which packs and uploads it, or send its digest in the submission's uploads.workdir");
        if (uploads.Workdir is not null && spec.Workdir is not { LocalPath: not null })
            throw new InvalidRequestException("the submission uploads a workdir, but the spec has no local workdir");

        var localMounts = spec.FileMounts.Where(m => m.SourceKind == FileMountSourceKind.Local).ToDictionary(m => m.Target, StringComparer.Ordinal);
        foreach (var (target, mount) in localMounts)
        {
            if (!uploads.FileMounts.ContainsKey(target))
                throw new InvalidRequestException(
                    $"file_mounts.{target}: its source '{mount.Source}' is a local path, and no archive of it came with the spec: upload it with " +
                    "`skyserve up` (or `skyserve update`), which packs and uploads it, or send its digest in the submission's uploads.file_mounts");
        }
        foreach (var target in uploads.FileMounts.Keys.Where(t => !localMounts.ContainsKey(t)))
            throw new InvalidRequestException($"the submission uploads file_mounts.{target}, but the spec has no file_mounts entry with a local source there");

        if (spec.Service.Tls is null && uploads.Tls is not null)
            throw new InvalidRequestException("uploads.tls was sent but the spec has no service.tls");
        if (spec.Service.Tls is not null && uploads.Tls is null)
            throw new InvalidRequestException(
                "service.tls names a certificate and key on your machine: submit the spec with `skyserve up` or `skyserve update`, which upload them");

        var digests = uploads.Digests.Distinct().ToList();
        var stored = await db.Blobs.Where(b => digests.Contains(b.Digest)).Select(b => b.Digest).ToListAsync(ct);
        foreach (var missing in digests.Except(stored))
            throw new InvalidRequestException(
                $"upload {missing} is not on the controller: PUT it to /api/v1/blobs/{missing} first (`skyserve up` does)");
        if (spec.Service.Tls is { } tls && uploads.Tls is { } files)
            await RequireCertificateAsync(db, tls, files, ct);
    }

    /// <summary>Load balancers must be able to serve what they are handed: the files are a PEM certificate and its key.</summary>
    private static async Task RequireCertificateAsync(ControllerDb db, TlsSpec tls, TlsUpload files, CancellationToken ct)
    {
        var content = await db.Blobs.AsNoTracking().Where(b => b.Digest == files.Certfile || b.Digest == files.Keyfile)
            .ToDictionaryAsync(b => b.Digest, b => b.Content, ct);
        try
        {
            using var loaded = X509Certificate2.CreateFromPem(Encoding.UTF8.GetString(content[files.Certfile]), Encoding.UTF8.GetString(content[files.Keyfile]));
        }
        catch (CryptographicException e)
        {
            throw new InvalidRequestException(
                $"service.tls: '{tls.CertFile}' and '{tls.KeyFile}' are not a PEM certificate and its private key ({e.Message})");
        }
    }
}

/// <summary>
/// What a version's file mounts will not do as written: MOUNT and MOUNT_CACHED need a FUSE mounter the agents do not
/// run, so they copy. Recorded as service events when the version is submitted, beside the agent's own log line.
/// </summary>
public static class FileMountNotes
{
    public static IEnumerable<string> For(ServiceSpec spec, int version) => spec.FileMounts
        .Where(m => m.Mode is FileMountMode.Mount or FileMountMode.MountCached)
        .Select(m => $"version {version}: file_mounts.{m.Target} is {m.Mode.ToSpecName()}, which needs a FUSE mounter the replica agents do not run: " +
            "its objects are copied at boot instead (writes stay on the machine)");
}
