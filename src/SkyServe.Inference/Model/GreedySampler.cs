using System.Numerics.Tensors;

namespace SkyServe.Inference.Model;

/// <summary>Greedy decoding: the most likely token, the first one on ties as torch.argmax picks.</summary>
public static class GreedySampler
{
    public static int ArgMax(ReadOnlySpan<float> logits) =>
        logits.IsEmpty ? throw new ArgumentException("no logits", nameof(logits)) : TensorPrimitives.IndexOfMax(logits);
}
