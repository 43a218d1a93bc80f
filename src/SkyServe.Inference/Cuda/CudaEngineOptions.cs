namespace SkyServe.Inference.Cuda;

/// <summary>How the CUDA engine uses its GPU.</summary>
/// <param name="MemoryUtilization">Share of the GPU's memory the engine may hold, weights and KV cache together (vLLM's gpu_memory_utilization).</param>
/// <param name="MaxBatchSize">Most sequences decoding together: decode steps up to this size run as captured CUDA graphs.</param>
/// <param name="MaxPassTokens">Most token rows in one pass over the layers; longer steps run as several passes.</param>
/// <param name="MaxLogitRows">Most rows of logits one pass computes.</param>
/// <param name="CudaGraphs">Capture decode steps as CUDA graphs (one launch per step instead of hundreds).</param>
/// <param name="Gemv">The engine's own matrix-vector kernel for steps of at most 8 rows, instead of cuBLAS.</param>
/// <param name="Device">Which GPU (CUDA ordinal).</param>
public sealed record CudaEngineOptions(
    double MemoryUtilization = 0.9,
    int MaxBatchSize = 256,
    int MaxPassTokens = 2048,
    int MaxLogitRows = 256,
    bool CudaGraphs = true,
    bool Gemv = true,
    int Device = 0)
{
    public const int KvBlockTokens = 16;

    /// <summary>Batch sizes decode graphs are captured for; a step runs in the smallest one that holds it (padding rows write to a scratch block).</summary>
    public IReadOnlyList<int> GraphBatchSizes =>
        [.. new[] { 1, 2, 4, 8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512 }.Where(size => size < MaxDecodeRows).Append(MaxDecodeRows).Distinct()];

    private int MaxDecodeRows => Math.Min(MaxBatchSize, Math.Min(MaxPassTokens, MaxLogitRows));

    /// <summary>The graph a decode step of <paramref name="sequences"/> runs in, or null when it is larger than any.</summary>
    public int? GraphBatchFor(int sequences) => GraphBatchSizes.Where(size => size >= sequences).Cast<int?>().FirstOrDefault();
}
