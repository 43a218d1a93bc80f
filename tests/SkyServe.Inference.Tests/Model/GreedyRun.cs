using SkyServe.Inference.Model;

namespace SkyServe.Inference.Tests.Model;

/// <summary>One prompt decoded greedily on its own: prefill, then one-token steps through the KV cache.</summary>
internal sealed record GreedyRun(int[] Tokens, float[][] Logits)
{
    public static GreedyRun Alone(ICausalLanguageModel model, int[] prompt, int newTokens)
    {
        using var cache = model.CreateCache();
        var tokens = new List<int>();
        var logits = new List<float[]>();
        var next = prompt;
        while (tokens.Count < newTokens)
        {
            var last = model.Forward([new SequenceStep(cache, next)])[0];
            logits.Add(last);
            tokens.Add(GreedySampler.ArgMax(last));
            next = [tokens[^1]];
        }
        return new GreedyRun([.. tokens], [.. logits]);
    }
}
