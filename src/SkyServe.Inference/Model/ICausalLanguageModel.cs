namespace SkyServe.Inference.Model;

/// <summary>
/// The seam between the scheduler and an engine (CPU now, CUDA later): caches per sequence and one batched
/// forward step over any mix of prefilling and decoding sequences.
/// </summary>
public interface ICausalLanguageModel : IDisposable
{
    ModelConfig Config { get; }

    /// <summary>Bytes of weights one forward step reads, in the precision the engine holds them (for MBU).</summary>
    long StreamedWeightBytes { get; }

    /// <summary>An empty cache for a new sequence.</summary>
    KvCache CreateCache();

    /// <summary>
    /// An empty cache with room set aside for <paramref name="maxLength"/> positions, or false when the engine cannot hold
    /// that many more now (the scheduler then leaves the request waiting). Engines without a fixed budget always succeed.
    /// </summary>
    bool TryCreateCache(int maxLength, out KvCache cache)
    {
        cache = CreateCache();
        return true;
    }

    /// <summary>Most positions all caches together can hold (a GPU's KV-cache blocks); long.MaxValue when unbounded.</summary>
    long KvCacheCapacityTokens => long.MaxValue;

    /// <summary>
    /// Appends each step's tokens to its sequence and returns, per step, row-major [positions, vocab] float32
    /// logits: one row (the last new position) or, with ReturnAllLogits, one per new token. A sequence appears
    /// at most once per call. Calls must not overlap.
    /// </summary>
    float[][] Forward(IReadOnlyList<SequenceStep> steps);
}
