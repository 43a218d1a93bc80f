namespace SkyServe.Inference.Cuda;

/// <summary>
/// How many KV-cache blocks the device holds once the weights and the step workspace are in: the share of the device's
/// memory the engine may use (vLLM's gpu_memory_utilization) minus what is already in use, in whole blocks. Refuses, with
/// the figures, when not even one sequence of the context window fits.
/// </summary>
public static class KvCachePlan
{
    /// <param name="totalBytes">The device's memory.</param>
    /// <param name="freeBytes">What is free now (after weights and workspace).</param>
    /// <param name="utilization">The share of <paramref name="totalBytes"/> the engine may hold, 0 to 1.</param>
    /// <param name="bytesPerBlock">Keys and values of one block over all layers.</param>
    /// <param name="minimumTokens">Positions one sequence needs (the context window).</param>
    public static int Blocks(long totalBytes, long freeBytes, double utilization, long bytesPerBlock, int blockTokens, long minimumTokens)
    {
        if (utilization is <= 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(utilization), utilization, "must be in (0, 1]");
        var used = totalBytes - freeBytes;
        var budget = (long)(totalBytes * utilization) - used;
        var blocks = Math.Max(0, budget / bytesPerBlock);
        var needed = (minimumTokens + blockTokens - 1) / blockTokens + 1; // + the scratch block
        if (blocks < needed)
            throw new CudaModelDoesNotFitException(
                $"the model does not fit: {Gb(used)} GB of the device's {Gb(totalBytes)} GB are in use after loading the weights, so " +
                $"{utilization:0.00} of it leaves {Gb(Math.Max(0, budget))} GB for the KV cache; one sequence of {minimumTokens} positions needs " +
                $"{Gb(needed * bytesPerBlock)} GB ({Gb(bytesPerBlock)} GB per block of {blockTokens}). Use a larger GPU, a smaller model, or a higher --gpu-memory-utilization");
        return (int)Math.Min(blocks, int.MaxValue / 2);
    }

    private static string Gb(long bytes) => (bytes / 1e9).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The model's weights or its KV cache for one full-length sequence do not fit in the device's memory.</summary>
public sealed class CudaModelDoesNotFitException(string message) : Exception(message);
