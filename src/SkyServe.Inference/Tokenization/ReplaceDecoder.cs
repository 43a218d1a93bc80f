namespace SkyServe.Inference.Tokenization;

/// <summary>tokenizer.json's Replace decoder (Llama 2 turns ▁ back into spaces), applied to each piece.</summary>
internal sealed class ReplaceDecoder(TextReplacement replacement) : ITokenDecoder
{
    public List<string> DecodeChain(List<string> tokens) => tokens.Select(replacement.Apply).ToList();
}
