namespace SkyServe.Inference.Checkpoints;

/// <summary>
/// A model held in the cache: its folder (config.json, tokenizer files, <see cref="PackedCheckpointFormat.FileName"/>)
/// stays on disk, never evicted, until this is disposed, by any agent process sharing the cache.
/// </summary>
public sealed class CachedModel : IDisposable
{
    private readonly FileStream pin;

    internal CachedModel(FileStream pin, string key, string directory, CacheOutcome outcome, TimeSpan fetch, TimeSpan convert, long downloadedBytes)
    {
        this.pin = pin;
        Key = key;
        Directory = directory;
        Outcome = outcome;
        FetchTime = fetch;
        ConvertTime = convert;
        DownloadedBytes = downloadedBytes;
    }

    public string Key { get; }
    public string Directory { get; }
    public CacheOutcome Outcome { get; }

    /// <summary>Downloading (a remote source on a miss); zero otherwise.</summary>
    public TimeSpan FetchTime { get; }

    /// <summary>Converting safetensors to the packed layout (on a miss); zero otherwise.</summary>
    public TimeSpan ConvertTime { get; }

    public long DownloadedBytes { get; }

    public void Dispose() => pin.Dispose();
}
