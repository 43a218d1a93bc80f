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
        var local = SpecLocalFiles.For(spec);
        if (local.Count == 0)
            return;

        var maxBytes = WorkdirArchive.MaxBytesFromEnvironment();
        var uploads = new JsonObject();
        var scratch = Directory.CreateTempSubdirectory("skyserve-upload-");
        try
        {
            foreach (var (file, index) in local.Select((file, index) => (file, index)))
            {
                var archive = Path.Combine(scratch.FullName, $"upload-{index}.tar.gz");
                switch (file.Kind)
                {
                    case SpecLocalFileKind.Workdir:
                        var source = Resolve(file.Path);
                        if (!Directory.Exists(source))
                            throw new CliException($"workdir: '{file.Path}' is not a folder ({source})");
                        uploads["workdir"] = await PackAndUploadAsync(client, source, archive, maxBytes, file.Key, ct);
                        break;
                    case SpecLocalFileKind.FileMount:
                        var mounts = uploads["file_mounts"] as JsonObject ?? (JsonObject)(uploads["file_mounts"] = new JsonObject());
                        mounts[file.Target!] = await PackAndUploadAsync(client, Resolve(file.Path), archive, maxBytes, file.Key, ct);
                        break;
                    case SpecLocalFileKind.TlsCertificate or SpecLocalFileKind.TlsKey:
                        var tls = uploads["tls"] as JsonObject ?? (JsonObject)(uploads["tls"] = new JsonObject());
                        tls[file.Kind == SpecLocalFileKind.TlsKey ? "keyfile" : "certfile"] = await UploadFileAsync(client, file.Path, file.Key, ct);
                        break;
                }
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
