namespace SkyServe.Inference.Tokenization;

/// <summary>tokenizer.json's Prepend normalizer (Llama 2 puts ▁ before the text); empty text stays empty.</summary>
internal sealed class PrependNormalizer(string prefix) : ITextNormalizer
{
    public string Normalize(string text) => text.Length == 0 ? text : prefix + text;
}
