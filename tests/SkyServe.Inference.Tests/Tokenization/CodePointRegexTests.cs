using SkyServe.Inference.Tokenization;

namespace SkyServe.Inference.Tests.Tokenization;

/// <summary>Split regexes see a supplementary character (emoji, rare CJK) as one character, as the Rust engines do.</summary>
public sealed class CodePointRegexTests
{
    private const string Llama3Split =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    [Fact]
    public void An_emoji_before_a_word_is_one_optional_non_letter()
    {
        var matches = new CodePointRegex(Llama3Split).Matches("🚀abc def");

        Assert.Equal(["🚀abc", " def"], matches.Select(m => "🚀abc def"[m]));
    }

    [Fact]
    public void A_supplementary_letter_is_a_letter()
    {
        // U+20000 (CJK extension B) is a letter; as UTF-16 units it would be two surrogates.
        var text = "x\U00020000y 12345";

        var matches = new CodePointRegex(Llama3Split).Matches(text);

        Assert.Equal(["x\U00020000y", " ", "123", "45"], matches.Select(m => text[m]));
    }
}
