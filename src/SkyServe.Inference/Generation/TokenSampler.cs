using System.Numerics.Tensors;

namespace SkyServe.Inference.Generation;

/// <summary>Picks the next token: argmax when greedy, else temperature-scaled softmax restricted to the top-p nucleus.</summary>
public static class TokenSampler
{
    public static int Sample(ReadOnlySpan<float> logits, SamplingParameters parameters, Random random)
    {
        if (parameters.IsGreedy)
            return TensorPrimitives.IndexOfMax(logits);
        var probabilities = new float[logits.Length];
        TensorPrimitives.Divide(logits, (float)parameters.Temperature, probabilities);
        TensorPrimitives.SoftMax(probabilities, probabilities);
        if (parameters.TopP >= 1)
            return Draw(probabilities, Enumerable.Range(0, probabilities.Length), 1, random);

        // The nucleus: the most likely tokens until their mass reaches top_p (at least one).
        var order = Enumerable.Range(0, probabilities.Length).OrderByDescending(i => probabilities[i]).ThenBy(i => i).ToArray();
        var mass = 0.0;
        var count = 0;
        while (count < order.Length && (count == 0 || mass < parameters.TopP))
            mass += probabilities[order[count++]];
        return Draw(probabilities, order.Take(count), mass, random);
    }

    private static int Draw(float[] probabilities, IEnumerable<int> candidates, double mass, Random random)
    {
        var target = random.NextDouble() * mass;
        var last = -1;
        foreach (var index in candidates)
        {
            last = index;
            target -= probabilities[index];
            if (target <= 0)
                return index;
        }
        return last;
    }
}
