using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SkyServe.Inference.Tokenization;

/// <summary>
/// A split regex that sees one character per Unicode code point, as the Rust/Oniguruma engines behind
/// tokenizer.json patterns do. .NET matches UTF-16 units, so a pattern like <c>[^\s\p{L}]?\p{L}+</c>
/// would treat an emoji as two non-letters; here each surrogate pair is matched as one stand-in
/// character of the same Unicode category, and match offsets are mapped back.
/// </summary>
internal sealed class CodePointRegex(string pattern)
{
    private static readonly char[] standInOfCategory = BuildStandIns();

    private readonly Regex regex = new(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);

    /// <summary>The non-empty matches in <paramref name="text"/>, in UTF-16 offsets of the text itself.</summary>
    public List<Range> Matches(string text)
    {
        var matches = new List<Range>();
        if (!text.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF'))
        {
            foreach (var match in regex.EnumerateMatches(text))
                if (match.Length > 0)
                    matches.Add(new Range(match.Index, match.Index + match.Length));
            return matches;
        }

        var (view, originalOffsets) = CodePointView(text);
        foreach (var match in regex.EnumerateMatches(view))
            if (match.Length > 0)
                matches.Add(new Range(originalOffsets[match.Index], originalOffsets[match.Index + match.Length]));
        return matches;
    }

    /// <summary>The text with each surrogate pair replaced by one stand-in, and where each view offset lies in the text.</summary>
    private static (string View, int[] OriginalOffsets) CodePointView(string text)
    {
        var view = new StringBuilder(text.Length);
        var offsets = new List<int>(text.Length + 1);
        for (var i = 0; i < text.Length; i++)
        {
            offsets.Add(i);
            if (char.IsSurrogatePair(text, i))
            {
                var category = CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(text[i], text[i + 1]));
                view.Append(standInOfCategory[(int)category]);
                i++;
            }
            else
            {
                view.Append(text[i]);
            }
        }
        offsets.Add(text.Length);
        return (view.ToString(), offsets.ToArray());
    }

    /// <summary>For each category, a BMP character of it that no split pattern names literally.</summary>
    private static char[] BuildStandIns()
    {
        var categories = Enum.GetValues<UnicodeCategory>();
        var standIns = new char[categories.Max(c => (int)c) + 1];
        Array.Fill(standIns, '\uE000');
        var found = new bool[standIns.Length];
        // Beyond Latin-1, so the ASCII letters and punctuation that patterns spell out are never stand-ins.
        for (var c = 0x100; c <= 0xFFFF; c++)
        {
            if (c is >= 0xD800 and <= 0xDFFF || char.IsWhiteSpace((char)c))
                continue;
            var category = (int)CharUnicodeInfo.GetUnicodeCategory((char)c);
            if (!found[category])
            {
                standIns[category] = (char)c;
                found[category] = true;
            }
        }
        return standIns;
    }
}
