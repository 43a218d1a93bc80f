namespace SkyServe.Inference.Checkpoints;

/// <summary>A file to download: its path in the folder, and the size and SHA-256 to check when the manifest gives them.</summary>
internal sealed record FetchedFile(string Path, long? Size, string? Sha256, byte[]? Content = null);
