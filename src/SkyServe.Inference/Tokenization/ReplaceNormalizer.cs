namespace SkyServe.Inference.Tokenization;

/// <summary>tokenizer.json's Replace normalizer (Llama 2 turns spaces into ▁).</summary>
internal sealed class ReplaceNormalizer(TextReplacement replacement) : ITextNormalizer
{
    public string Normalize(string text) => replacement.Apply(text);
}
