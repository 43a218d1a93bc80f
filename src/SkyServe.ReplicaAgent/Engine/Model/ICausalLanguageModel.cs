namespace SkyServe.ReplicaAgent.Engine.Model;

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
    /// Appends each step's tokens to its sequence and returns, per step, row-major [positions, vocab] float32
    /// logits: one row (the last new position) or, with ReturnAllLogits, one per new token. A sequence appears
    /// at most once per call. Calls must not overlap.
    /// </summary>
    float[][] Forward(IReadOnlyList<SequenceStep> steps);
}
