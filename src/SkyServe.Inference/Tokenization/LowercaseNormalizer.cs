namespace SkyServe.Inference.Tokenization;

/// <summary>tokenizer.json's Lowercase normalizer.</summary>
internal sealed class LowercaseNormalizer : ITextNormalizer
{
    public string Normalize(string text) => text.ToLowerInvariant();
}
