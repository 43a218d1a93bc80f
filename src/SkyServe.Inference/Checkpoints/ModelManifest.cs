using System.Security.Cryptography;
using System.Text.Json;
using SkyServe.Inference.Model;

namespace SkyServe.Inference.Checkpoints;

/// <summary>One file of a model folder: its path relative to the folder ('/'-separated), size and SHA-256 (lower-case hex).</summary>
public sealed record ManifestFile(string Path, long Size, string Sha256);

/// <summary>
/// skyserve-manifest.json, which a model folder served over HTTP may carry so downloads are checked:
/// <c>{"files": [{"path": "config.json", "size": 836, "sha256": "9f2c..."}, ...]}</c>. The agent downloads exactly the
/// listed files, and checks each one's size and SHA-256 (a mismatch is fetched again, then fails). Write one with
/// <c>SkyServe.ReplicaAgent --write-manifest DIR</c>.
/// </summary>
public sealed record ModelManifest(IReadOnlyList<ManifestFile> Files)
{
    public const string FileName = "skyserve-manifest.json";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    /// <summary>Parses and checks a manifest: relative paths without '..', sizes ≥ 0, 64-hex SHA-256s, no duplicates.</summary>
    public static ModelManifest Parse(ReadOnlySpan<byte> json, string origin)
    {
        ManifestDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<ManifestDocument>(json, Json);
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"{origin} is not a valid manifest: {e.Message}", e);
        }
        if (document?.Files is not { Count: > 0 } files)
            throw new CheckpointException($"{origin} lists no files");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (string.IsNullOrEmpty(file.Path) || file.Path.StartsWith('/') || file.Path.Contains('\\')
                || file.Path.Split('/').Any(part => part is "" or "." or ".."))
                throw new CheckpointException($"{origin}: '{file.Path}' is not a relative file path");
            if (file.Size < 0)
                throw new CheckpointException($"{origin}: {file.Path} has a negative size");
            if (file.Sha256 is null || file.Sha256.Length != 64 || !file.Sha256.All(char.IsAsciiHexDigit))
                throw new CheckpointException($"{origin}: {file.Path} has no valid sha256 (64 hex digits)");
            if (!seen.Add(file.Path))
                throw new CheckpointException($"{origin} lists {file.Path} twice");
        }
        return new ModelManifest(files.Select(file => file with { Sha256 = file.Sha256.ToLowerInvariant() }).ToList());
    }

    /// <summary>
    /// The manifest of a local model folder: its top-level *.safetensors, *.json and *.jinja files (the manifest itself
    /// left out), which is what the engine reads.
    /// </summary>
    public static ModelManifest Create(string directory)
    {
        if (!Directory.Exists(directory))
            throw new CheckpointException($"{directory} is not a folder");
        var files = Directory.GetFiles(directory)
            .Where(IsModelFile)
            .Order(StringComparer.Ordinal)
            .Select(path =>
            {
                using var stream = File.OpenRead(path);
                return new ManifestFile(System.IO.Path.GetFileName(path), stream.Length, Convert.ToHexStringLower(SHA256.HashData(stream)));
            })
            .ToList();
        if (files.Count == 0)
            throw new CheckpointException($"{directory} holds no *.safetensors, *.json or *.jinja files");
        return new ModelManifest(files);
    }

    /// <summary>Writes <see cref="FileName"/> into the folder; returns its path.</summary>
    public static string Write(string directory)
    {
        var manifest = Create(directory);
        var path = System.IO.Path.Combine(directory, FileName);
        File.WriteAllBytes(path, manifest.ToJson());
        return path;
    }

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(new ManifestDocument { Files = Files.ToList() }, Json);

    internal static bool IsModelFile(string path)
    {
        var name = System.IO.Path.GetFileName(path);
        return name != FileName && !name.StartsWith('.')
            && (name.EndsWith(".safetensors", StringComparison.Ordinal) || name.EndsWith(".json", StringComparison.Ordinal) || name.EndsWith(".jinja", StringComparison.Ordinal));
    }

    private sealed class ManifestDocument
    {
        public List<ManifestFile>? Files { get; init; }
    }
}
