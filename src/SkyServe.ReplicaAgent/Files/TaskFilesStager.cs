using SkyServe.Contracts.Agent;

namespace SkyServe.ReplicaAgent.Files;

/// <summary>
/// Puts the spec's <c>workdir</c> and <c>file_mounts</c> on the machine before setup, as SkyPilot does: the workdir
/// (an uploaded archive, or a git repository) becomes <c>~/sky_workdir</c>, and each file mount appears at its target
/// (<c>~</c> being the machine's home). Uploaded archives come from the controller and must match their digest;
/// <c>https://</c>, <c>s3://</c>, <c>r2://</c>, <c>gs://</c> and Azure blob URLs are fetched with the machine's own
/// credentials. COPY copies; MOUNT and MOUNT_CACHED need a FUSE mounter this agent does not run, so they copy too,
/// and say so in the replica's log. Every step is written to that log through <c>note</c>.
/// </summary>
public sealed class TaskFilesStager(ControllerBlobs controller, HttpClient http, Func<string, string?> environment, Action<string> note)
{
    /// <returns>The workdir's path (<c>~/sky_workdir</c>) when the spec has one, else null.</returns>
    /// <exception cref="TaskFilesException">Something could not be put in place; the message names it and says why.</exception>
    public async Task<string?> StageAsync(TaskFiles files, string home, CancellationToken ct)
    {
        Directory.CreateDirectory(home);
        string? workdir = null;
        if (files.Workdir is { } spec)
        {
            workdir = Path.Combine(home, HomePaths.WorkdirName);
            if (spec.GitUrl is { } url)
            {
                note($"workdir: cloning {url}{(spec.GitRef is { } r ? $" at {r}" : "")} into {workdir}");
                await GitWorkdir.CloneAsync(url, spec.GitRef, workdir, Environment(home), ct);
            }
            else if (spec.Blob is { } digest)
            {
                note($"workdir: fetching {digest} from the controller into {workdir}");
                await UnpackBlobAsync(digest, workdir, replace: true, "workdir", ct);
            }
            else
                throw new TaskFilesException("workdir: neither an uploaded archive nor a git URL was given");
        }
        foreach (var mount in files.FileMounts)
            await MountAsync(mount, home, ct);
        if (files.FileMounts.Count > 0 || workdir is not null)
            note($"workdir and file mounts are in place{(workdir is null ? "" : $"; setup and run execute in {workdir}")}");
        return workdir;
    }

    private async Task MountAsync(TaskFileMount mount, string home, CancellationToken ct)
    {
        var what = $"file_mounts.{mount.Target}";
        var target = HomePaths.Resolve(mount.Target, home);
        if (mount.Mode is TaskFileModes.Mount or TaskFileModes.MountCached)
            note($"{what}: {mount.Mode} needs a FUSE mounter (goofys, gcsfuse, blobfuse2, rclone), which this agent does not run: " +
                "the objects are copied instead (writes to them stay on this machine)");
        if (mount.Blob is { } digest)
        {
            note($"{what}: fetching {digest} from the controller into {target}");
            await UnpackBlobAsync(digest, target, replace: false, what, ct);
            return;
        }
        var source = mount.Source ?? throw new TaskFilesException($"{what}: neither an uploaded archive nor a source was given");
        note($"{what}: copying {Redacted(source)} to {target}");
        try
        {
            var scheme = source[..Math.Max(0, source.IndexOf("://", StringComparison.Ordinal))];
            switch (scheme)
            {
                case "s3":
                    using (var s3 = S3Bucket.ForS3(environment))
                        await CopyBucketAsync(s3, source, target, ct);
                    break;
                case "r2":
                    using (var r2 = S3Bucket.ForR2(environment, home))
                        await CopyBucketAsync(r2, source, target, ct);
                    break;
                case "gs":
                    await CopyBucketAsync(new GcsBucket(http, environment), source, target, ct);
                    break;
                case "https" or "http" when Uri.TryCreate(source, UriKind.Absolute, out var url)
                        && url.Host.EndsWith(".blob.core.windows.net", StringComparison.OrdinalIgnoreCase):
                    var (endpoint, container, prefix, sas) = AzureBlobContainer.Parse(source);
                    var copied = await BucketCopy.CopyAsync(new AzureBlobContainer(http, environment, endpoint, sas), container, prefix, target, ct);
                    note($"{what}: copied {copied} objects");
                    break;
                case "https" or "http":
                    await RemoteHttp.DownloadFileAsync(http, source, target, ct);
                    break;
                default:
                    throw new TaskFilesException($"'{Redacted(source)}' is not a source this agent fetches (https://, s3://, r2://, gs:// or an Azure blob URL)");
            }
        }
        catch (TaskFilesException e)
        {
            throw new TaskFilesException($"{what}: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Amazon.Runtime.AmazonClientException)
        {
            throw new TaskFilesException($"{what}: copying {Redacted(source)} failed: {e.Message}", e);
        }
    }

    private async Task CopyBucketAsync(IBucket store, string source, string target, CancellationToken ct)
    {
        var rest = source[(source.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var slash = rest.IndexOf('/');
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..];
        var copied = await BucketCopy.CopyAsync(store, bucket, prefix, target, ct);
        note($"copied {copied} objects of {source}");
    }

    private async Task UnpackBlobAsync(string digest, string target, bool replace, string what, CancellationToken ct)
    {
        var archive = Path.Combine(Path.GetTempPath(), $"skyserve-blob-{Guid.NewGuid():N}.tar.gz");
        try
        {
            await controller.FetchAsync(digest, archive, what, ct);
            ArchiveUnpacker.Unpack(archive, target, replace);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new TaskFilesException($"{what}: unpacking {digest} into {target} failed: {e.Message}", e);
        }
        finally
        {
            File.Delete(archive);
        }
    }

    private Dictionary<string, string> Environment(string home) => new() { ["HOME"] = home };

    /// <summary>A URL without its query, which may hold a SAS or a signature.</summary>
    private static string Redacted(string source) => source.IndexOf('?') is var q and >= 0 ? source[..q] + "?…" : source;
}
