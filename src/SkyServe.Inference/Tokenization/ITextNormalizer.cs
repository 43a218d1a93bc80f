namespace SkyServe.Inference.Tokenization;

/// <summary>A normalizer of tokenizer.json: rewrites each piece of input text before pre-tokenization.</summary>
internal interface ITextNormalizer
{
    string Normalize(string text);
}
