using System.Text;

namespace SkyServe.Inference.Tokenization;

/// <summary>
/// tokenizer.json's NFC/NFD/NFKC/NFKD normalizers, through .NET. Under invariant globalization (this
/// repository's setting) .NET leaves text unchanged, so these are then the identity.
/// </summary>
internal sealed class UnicodeFormNormalizer(NormalizationForm form) : ITextNormalizer
{
    public string Normalize(string text) => text.Normalize(form);
}
