using System.Buffers;
using System.Numerics.Tensors;

namespace SkyServe.Inference.Model;

/// <summary>
/// Grouped-query attention of each new token over its own sequence's cached keys and values, up to and
/// including its position (causal), and within the sliding window where the model has one.
/// </summary>
internal sealed class CausalAttention(ModelConfig config)
{
    /// <summary>Multiply-adds below which the work stays on the calling thread.</summary>
    private const long ParallelThreshold = 1 << 16;

    private readonly float scale = 1f / MathF.Sqrt(config.HeadDim);

    /// <summary>query is [tokens, heads * headDim]; output gets the same shape.</summary>
    public void Apply(BatchLayout batch, int layer, float[] query, float[] output)
    {
        var heads = config.NumAttentionHeads;
        var items = batch.TokenCount * heads;
        long work = 0;
        for (var row = 0; row < batch.TokenCount; row++)
            work += (long)(batch.PositionOfRow[row] + 1) * heads * config.HeadDim * 2;

        if (work < ParallelThreshold || Environment.ProcessorCount == 1)
        {
            for (var item = 0; item < items; item++)
                AttendOneHead(batch, layer, query, output, item / heads, item % heads);
            return;
        }
        Parallel.For(0, items, item => AttendOneHead(batch, layer, query, output, item / heads, item % heads));
    }

    private void AttendOneHead(BatchLayout batch, int layer, float[] query, float[] output, int row, int head)
    {
        var headDim = config.HeadDim;
        var keyValueDim = config.KeyValueDim;
        var cache = batch.Caches[batch.SequenceOfRow[row]];
        var keys = cache.Keys(layer);
        var values = cache.Values(layer);
        var keyValueOffset = head / config.QueryHeadsPerKeyValueHead * headDim;

        var position = batch.PositionOfRow[row];
        var first = config.SlidingWindow is int window ? Math.Max(0, position - window + 1) : 0;
        var count = position - first + 1;

        var q = query.AsSpan(row * config.QueryDim + head * headDim, headDim);
        var rented = ArrayPool<float>.Shared.Rent(count);
        try
        {
            var scores = rented.AsSpan(0, count);
            for (var j = 0; j < count; j++)
                scores[j] = TensorPrimitives.Dot(q, keys.AsSpan((first + j) * keyValueDim + keyValueOffset, headDim)) * scale;
            StableSoftmax(scores);

            var result = output.AsSpan(row * config.QueryDim + head * headDim, headDim);
            result.Clear();
            for (var j = 0; j < count; j++)
                TensorPrimitives.MultiplyAdd(values.AsSpan((first + j) * keyValueDim + keyValueOffset, headDim), scores[j], result, result);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>Subtracts the maximum first so exp cannot overflow.</summary>
    private static void StableSoftmax(Span<float> scores)
    {
        TensorPrimitives.Subtract(scores, TensorPrimitives.Max(scores), scores);
        TensorPrimitives.Exp(scores, scores);
        TensorPrimitives.Divide(scores, TensorPrimitives.Sum(scores), scores);
    }
}
