using System.Text.Json.Nodes;
using SkyServe.Core.Spec;

namespace SkyServe.Cli.Uploads;

/// <summary>
/// What <c>up</c> and <c>update</c> do for a spec's local <c>workdir</c> and local <c>file_mounts</c> sources: pack each
/// (<see cref="WorkdirArchive"/>), upload the archives the controller does not have yet (HEAD, then PUT), and name them
/// in the submission. Relative paths are relative to the current directory and <c>~</c> is the user's
/// home, as SkyPilot reads them. A spec's <c>service.tls</c> files go up as they are, for load balancers.
/// </summary>
public static class TaskFileUploads
{
    /// <summary>
    /// Uploads what the submission's spec needs and names it in <see cref="SpecSubmissionRequest.Uploads"/>. A spec that
    /// does not parse goes as it is: the controller says what is wrong.
    /// </summary>
    public static async Task AddToAsync(ControllerClient client, SpecSubmissionRequest submission, CancellationToken ct)
    {
        if (ServiceSpecParser.TryParse(submission.SpecText, submission.Inputs).Spec is not { } spec)
            return;
        var localMounts = spec.FileMounts.Where(m => m.SourceKind == FileMountSourceKind.Local && m.Source is not null).ToList();
        if (spec.Workdir?.LocalPath is null && localMounts.Count == 0 && spec.Service.Tls is null)
            return;

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
            if (spec.Service.Tls is { } tls)
            {
                uploads["tls"] = new JsonObject
                {
                    ["certfile"] = await UploadFileAsync(client, tls.CertFile, "service.tls.certfile", ct),
                    ["keyfile"] = await UploadFileAsync(client, tls.KeyFile, "service.tls.keyfile", ct),
                };
            }
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
        submission.Uploads = uploads;
    }

    /// <summary>A single file uploaded as it is (the TLS certificate and key: load balancers read them, nothing unpacks them).</summary>
    private static async Task<string> UploadFileAsync(ControllerClient client, string path, string what, CancellationToken ct)
    {
        var file = Resolve(path);
        if (!File.Exists(file))
            throw new CliException($"{what}: '{path}' is not a file ({file})");
        string digest;
        await using (var content = File.OpenRead(file))
            digest = "sha256:" + Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(content, ct));
        if (!await client.BlobExistsAsync(digest, ct))
            await client.PutBlobAsync(digest, file, ct);
        Console.WriteLine($"{what}: {file} uploaded as {digest[..19]}….");
        return digest;
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
