using Microsoft.EntityFrameworkCore;
using SkyServe.Controller.Persistence;
using SkyServe.Core.Spec;

namespace SkyServe.Controller.Services;

/// <summary>
/// A submission's uploads must match its spec: a local <c>workdir</c> and each local <c>file_mounts</c> source come
/// as an archive uploaded beforehand (<c>skyserve up</c> and <c>update</c> do both), nothing else does, and every
/// archive named is stored. Otherwise the replicas would fail at boot; the submission is refused now instead.
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

        IEnumerable<string> named = uploads.Workdir is { } workdir ? [workdir] : [];
        var digests = named.Concat(uploads.FileMounts.Values).Distinct().ToList();
        var stored = await db.Blobs.Where(b => digests.Contains(b.Digest)).Select(b => b.Digest).ToListAsync(ct);
        foreach (var missing in digests.Except(stored))
            throw new InvalidRequestException(
                $"upload {missing} is not on the controller: PUT it to /api/v1/blobs/{missing} first (`skyserve up` does)");
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
