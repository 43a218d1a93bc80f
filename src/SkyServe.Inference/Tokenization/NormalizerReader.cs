using System.Text;
using System.Text.Json;

namespace SkyServe.Inference.Tokenization;

/// <summary>Builds tokenizer.json's "normalizer".</summary>
internal static class NormalizerReader
{
    private const string Supported = "Sequence, Prepend, Replace, NFC, NFD, NFKC, NFKD, Lowercase, Strip";

    public static ITextNormalizer? Read(JsonElement element)
    {
        if (element.IsNullOrMissing())
            return null;
        var type = element.TypeName("normalizer");
        return type switch
        {
            "Sequence" => new NormalizerSequence(element.RequiredArray("normalizers", "normalizer Sequence")
                .Select(step => Read(step) ?? throw new TokenizerLoadException("tokenizer.json: a normalizer Sequence holds null"))
                .ToList()),
            "Prepend" => new PrependNormalizer(element.RequiredString("prepend", "normalizer Prepend")),
            "Replace" => new ReplaceNormalizer(ReadReplacement(element, "normalizer Replace")),
            "NFC" => new UnicodeFormNormalizer(NormalizationForm.FormC),
            "NFD" => new UnicodeFormNormalizer(NormalizationForm.FormD),
            "NFKC" => new UnicodeFormNormalizer(NormalizationForm.FormKC),
            "NFKD" => new UnicodeFormNormalizer(NormalizationForm.FormKD),
            "Lowercase" => new LowercaseNormalizer(),
            "Strip" => new StripNormalizer(element.OptionalBool("strip_left", true), element.OptionalBool("strip_right", true)),
            _ => throw JsonFields.Unsupported("normalizer", type, Supported),
        };
    }

    /// <summary>The rule of a Replace normalizer or decoder.</summary>
    public static TextReplacement ReadReplacement(JsonElement element, string component)
    {
        var content = element.RequiredString("content", component);
        var (literal, regex) = element.Pattern(component);
        return literal is not null ? TextReplacement.OfLiteral(literal, content) : TextReplacement.OfRegex(regex!, content);
    }
}
