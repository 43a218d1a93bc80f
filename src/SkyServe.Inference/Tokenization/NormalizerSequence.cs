namespace SkyServe.Inference.Tokenization;

/// <summary>tokenizer.json's Sequence normalizer: each step in turn.</summary>
internal sealed class NormalizerSequence(IReadOnlyList<ITextNormalizer> steps) : ITextNormalizer
{
    public string Normalize(string text)
    {
        foreach (var step in steps)
            text = step.Normalize(text);
        return text;
    }
}
