namespace SkyServe.Inference.Tokenization;

/// <summary>tokenizer.json's Sequence decoder: each step rewrites the pieces of the one before.</summary>
internal sealed class DecoderSequence(IReadOnlyList<ITokenDecoder> steps) : ITokenDecoder
{
    public List<string> DecodeChain(List<string> tokens)
    {
        foreach (var step in steps)
            tokens = step.DecodeChain(tokens);
        return tokens;
    }
}
