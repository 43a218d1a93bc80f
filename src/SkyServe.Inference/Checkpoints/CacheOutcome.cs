namespace SkyServe.Inference.Checkpoints;

/// <summary>How a model reached the engine.</summary>
public enum CacheOutcome
{
    /// <summary>No cache: the local folder's safetensors were read in place.</summary>
    NotCached,

    /// <summary>The cache already held the converted model.</summary>
    Hit,

    /// <summary>Fetched (or read from the local folder) and converted now, then loaded from the cache.</summary>
    Miss,
}
