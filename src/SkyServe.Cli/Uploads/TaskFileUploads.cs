using System.Text.Json;
using System.Text.Json.Nodes;
using SkyServe.Core.Spec;

namespace SkyServe.Cli.Uploads;

/// <summary>
/// What <c>up</c> and <c>update</c> do for a spec's local <c>workdir</c> and local <c>file_mounts</c> sources: pack each
/// (<see cref="WorkdirArchive"/>), upload the archives the controller does not have yet (HEAD, then PUT), and send the
/// spec as a submission naming them. Relative paths are relative to the current directory and <c>~</c> is the user's
/// home, as SkyPilot reads them. A spec without local sources goes as it is.
/// </summary>
public static class TaskFileUploads
{
    /// <summary>The spec to send, after uploading what it needs. A spec that does not parse goes as it is: the controller says what is wrong.</summary>
    public static async Task<SpecPayload> PrepareAsync(ControllerClient client, string specText, CancellationToken ct)
    {
        if (ServiceSpecParser.TryParse(specText).Spec is not { } spec)
            return SpecPayload.Of(specText);
        var localMounts = spec.FileMounts.Where(m => m.SourceKind == FileMountSourceKind.Local && m.Source is not null).ToList();
        if (spec.Workdir?.LocalPath is null && localMounts.Count == 0)
            return SpecPayload.Of(specText);

        var maxBytes = WorkdirArchive.MaxBytesFromEnvironment();
        var uploads = new JsonObject();
        var scratch = Directory.CreateTempSubdirectory("skyserve-upload-");
        try
        {
            if (spec.Workdir?.LocalPath is { } workdir)
            {
                var source = Resolve(workdir);
                if (!Directory.Exists(source))
                    throw new CliException($"workdir: '{workdir}' is not a folder ({source})");
                uploads["workdir"] = await PackAndUploadAsync(client, source, Path.Combine(scratch.FullName, "workdir.tar.gz"), maxBytes, "workdir", ct);
            }
            if (localMounts.Count > 0)
            {
                var mounts = new JsonObject();
                for (var i = 0; i < localMounts.Count; i++)
                {
                    var mount = localMounts[i];
                    mounts[mount.Target] = await PackAndUploadAsync(client, Resolve(mount.Source!),
                        Path.Combine(scratch.FullName, $"mount-{i}.tar.gz"), maxBytes, $"file_mounts.{mount.Target}", ct);
                }
                uploads["file_mounts"] = mounts;
            }
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
        var submission = new JsonObject { ["spec"] = specText, ["uploads"] = uploads };
        return new SpecPayload(submission.ToJsonString(new JsonSerializerOptions { WriteIndented = false }), SpecPayload.Submission);
    }

    /// <summary>A path as written in a spec: <c>~</c> is the home folder; a relative path is relative to the current directory.</summary>
    public static string Resolve(string path)
    {
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
            path = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : "");
        return Path.GetFullPath(path).TrimEnd('/') is { Length: > 0 } full ? full : "/";
    }

    private static async Task<string> PackAndUploadAsync(ControllerClient client, string source, string archive, long maxBytes, string what, CancellationToken ct)
    {
        var packed = WorkdirArchive.Pack(source, archive, maxBytes, what);
        var size = packed.Size < 1024 * 1024 ? $"{(packed.Size + 1023) / 1024} KiB" : $"{packed.Size / (1024.0 * 1024):0.0} MiB";
        var ignoring = packed.IgnoreSource is { } rules ? $", honouring {rules}" : "";
        var files = packed.Files == 1 ? "1 file" : $"{packed.Files} files";
        if (await client.BlobExistsAsync(packed.Digest, ct))
            Console.WriteLine($"{what}: {source} ({files}, {size}{ignoring}) is on the controller already ({packed.Digest[..19]}…).");
        else
        {
            await client.PutBlobAsync(packed.Digest, packed.Path, ct);
            Console.WriteLine($"{what}: uploaded {source} ({files}, {size}{ignoring}) as {packed.Digest[..19]}….");
        }
        return packed.Digest;
    }
}
