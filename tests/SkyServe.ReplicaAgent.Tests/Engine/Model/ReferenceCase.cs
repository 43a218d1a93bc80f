namespace SkyServe.ReplicaAgent.Tests.Engine.Model;

/// <summary>One prompt of a fixture's expected.json: its ids, transformers' logits at every position, and 12 greedy tokens.</summary>
public sealed record ReferenceCase(string Prompt, int[] Ids, float[][] Logits, int[] Greedy)
{
    /// <summary>The pad_token_id generate_reference.py passes to generate().</summary>
    public const int GeneratePadTokenId = 0;

    /// <summary>
    /// The prompt generate() actually continued. Given a pad id and no attention mask, transformers masks every
    /// prompt token equal to it and counts positions over the rest, which is the same as leaving those tokens
    /// out. tiny-llama's BOS is 0, so its greedy tokens continue the prompt without its BOS (the logits, from
    /// a plain forward, do include it).
    /// </summary>
    public int[] GreedyPrompt => Ids.Where(id => id != GeneratePadTokenId).ToArray();
}
