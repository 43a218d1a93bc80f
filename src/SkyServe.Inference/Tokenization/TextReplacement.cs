using System.Text;

namespace SkyServe.Inference.Tokenization;

/// <summary>The Replace normalizer's and decoder's rule: every match of a literal or regex becomes the (literal) content.</summary>
internal sealed class TextReplacement
{
    private readonly string? literal;
    private readonly CodePointRegex? regex;
    private readonly string content;

    private TextReplacement(string? literal, CodePointRegex? regex, string content) =>
        (this.literal, this.regex, this.content) = (literal, regex, content);

    public static TextReplacement OfLiteral(string literal, string content) => new(literal, null, content);

    public static TextReplacement OfRegex(string pattern, string content) => new(null, new CodePointRegex(pattern), content);

    public string Apply(string text)
    {
        if (literal is not null)
            return literal.Length == 0 ? text : text.Replace(literal, content, StringComparison.Ordinal);

        var result = new StringBuilder(text.Length);
        var cursor = 0;
        foreach (var match in regex!.Matches(text))
        {
            var (start, length) = match.GetOffsetAndLength(text.Length);
            result.Append(text, cursor, start - cursor).Append(content);
            cursor = start + length;
        }
        return cursor == 0 ? text : result.Append(text, cursor, text.Length - cursor).ToString();
    }
}
