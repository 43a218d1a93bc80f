namespace SkyServe.Inference.Tokenization;

/// <summary>tokenizer.json's Sequence pre-tokenizer: each step splits every piece the previous one produced.</summary>
internal sealed class PreTokenizerSequence(IReadOnlyList<IPreTokenizer> steps) : IPreTokenizer
{
    public void Split(PreToken piece, List<PreToken> output)
    {
        List<PreToken> current = [piece];
        foreach (var step in steps)
        {
            var next = new List<PreToken>(current.Count * 2);
            foreach (var p in current)
                step.Split(p, next);
            current = next;
        }
        output.AddRange(current);
    }
}
