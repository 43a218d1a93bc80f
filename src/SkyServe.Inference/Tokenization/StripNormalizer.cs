namespace SkyServe.Inference.Tokenization;

/// <summary>tokenizer.json's Strip normalizer: trims whitespace on the chosen sides.</summary>
internal sealed class StripNormalizer(bool left, bool right) : ITextNormalizer
{
    public string Normalize(string text) => (left, right) switch
    {
        (true, true) => text.Trim(),
        (true, false) => text.TrimStart(),
        (false, true) => text.TrimEnd(),
        _ => text,
    };
}
