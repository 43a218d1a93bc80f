using SkyServe.Inference.Model;

namespace SkyServe.Inference.Tests.Model;

/// <summary>A sequence in the batching test: it joins at a given step, prefills its prompt chunks, then decodes greedily.</summary>
internal sealed class BatchedSequence(KvCache cache, int joinAtStep, int[][] promptChunks)
{
    private int chunksSent;

    public KvCache Cache { get; } = cache;
    public int JoinAtStep { get; } = joinAtStep;
    public List<int> Generated { get; } = [];
    public List<float[]> Logits { get; } = [];

    public int[] NextTokens() => chunksSent < promptChunks.Length ? promptChunks[chunksSent++] : [Generated[^1]];

    /// <summary>Logits after a prompt chunk that is not the last predict nothing anyone asked for.</summary>
    public void Receive(float[] logits)
    {
        if (chunksSent < promptChunks.Length)
            return;
        Logits.Add(logits);
        Generated.Add(GreedySampler.ArgMax(logits));
    }
}
