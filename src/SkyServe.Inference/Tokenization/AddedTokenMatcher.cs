using System.Text;

namespace SkyServe.Inference.Tokenization;

/// <summary>
/// Finds added tokens in text, leftmost and then longest first, without overlaps (Hugging Face uses
/// Aho-Corasick the same way), honouring single_word, lstrip and rstrip.
/// </summary>
internal sealed class AddedTokenMatcher
{
    // Candidates per first character, longest first, so the first hit at a position is the longest.
    private readonly Dictionary<char, (string Pattern, AddedToken Token)[]> candidatesByFirstChar;

    /// <param name="tokens">Each token with the exact text to look for (its content, normalized if the token is).</param>
    public AddedTokenMatcher(IEnumerable<(string Pattern, AddedToken Token)> tokens)
    {
        candidatesByFirstChar = tokens
            .Where(t => t.Pattern.Length > 0)
            .GroupBy(t => t.Pattern[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Pattern.Length).ToArray());
    }

    public bool IsEmpty => candidatesByFirstChar.Count == 0;

    /// <summary>Cuts <paramref name="text"/> into plain and added-token segments, covering it all in order.</summary>
    public List<TextSegment> Split(string text)
    {
        var segments = new List<TextSegment>();
        var emittedUpTo = 0;
        var position = 0;
        while (position < text.Length)
        {
            if (!TryMatchAt(text, position, out var pattern, out var token))
            {
                position++;
                continue;
            }
            var start = position;
            var end = position + pattern.Length;
            position = end;
            if (token.SingleWord && (EndsWithWordCharacter(text, start) || StartsWithWordCharacter(text, end)))
                continue;
            if (token.StripLeft)
                start = Math.Max(StartOfTrailingWhitespace(text, start), emittedUpTo);
            if (token.StripRight)
                position = end = EndOfLeadingWhitespace(text, end);
            if (start > emittedUpTo)
                segments.Add(new TextSegment(emittedUpTo, start, null));
            segments.Add(new TextSegment(start, end, token));
            emittedUpTo = end;
        }
        if (emittedUpTo < text.Length)
            segments.Add(new TextSegment(emittedUpTo, text.Length, null));
        return segments;
    }

    private bool TryMatchAt(string text, int position, out string pattern, out AddedToken token)
    {
        if (candidatesByFirstChar.TryGetValue(text[position], out var candidates))
        {
            var rest = text.AsSpan(position);
            foreach (var candidate in candidates)
            {
                if (rest.StartsWith(candidate.Pattern, StringComparison.Ordinal))
                {
                    (pattern, token) = candidate;
                    return true;
                }
            }
        }
        (pattern, token) = (string.Empty, null!);
        return false;
    }

    private static bool EndsWithWordCharacter(string text, int end) =>
        end > 0 && Rune.DecodeLastFromUtf16(text.AsSpan(0, end), out var rune, out _) == System.Buffers.OperationStatus.Done && IsWordCharacter(rune);

    private static bool StartsWithWordCharacter(string text, int start) =>
        start < text.Length && Rune.DecodeFromUtf16(text.AsSpan(start), out var rune, out _) == System.Buffers.OperationStatus.Done && IsWordCharacter(rune);

    private static bool IsWordCharacter(Rune rune) => Rune.IsLetterOrDigit(rune) || rune.Value == '_';

    private static int StartOfTrailingWhitespace(string text, int end)
    {
        var start = end;
        while (start > 0 && char.IsWhiteSpace(text[start - 1]))
            start--;
        return start;
    }

    private static int EndOfLeadingWhitespace(string text, int start)
    {
        var end = start;
        while (end < text.Length && char.IsWhiteSpace(text[end]))
            end++;
        return end;
    }
}
