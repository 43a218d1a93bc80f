namespace SkyServe.Inference.Tokenization;

/// <summary>Cuts text at delimiter matches the way Hugging Face's NormalizedString.split does, for each behaviour.</summary>
internal static class DelimiterSplitter
{
    /// <summary>
    /// Appends the pieces of <paramref name="piece"/> given the delimiter ranges (ascending, non-overlapping);
    /// <paramref name="invert"/> treats the ranges between matches as the delimiters instead.
    /// </summary>
    public static void Split(PreToken piece, IEnumerable<Range> delimiters, SplitBehavior behavior, bool invert, List<PreToken> output)
    {
        var text = piece.Text;
        var spans = new List<(int Start, int End, bool IsDelimiter)>();
        var cursor = 0;
        foreach (var range in delimiters)
        {
            var (start, length) = range.GetOffsetAndLength(text.Length);
            if (length == 0)
                continue;
            if (start > cursor)
                spans.Add((cursor, start, invert));
            spans.Add((start, start + length, !invert));
            cursor = start + length;
        }
        if (cursor < text.Length)
            spans.Add((cursor, text.Length, invert));

        var kept = behavior switch
        {
            SplitBehavior.Removed => spans.Where(s => !s.IsDelimiter).Select(s => (s.Start, s.End)).ToList(),
            SplitBehavior.Isolated => spans.Select(s => (s.Start, s.End)).ToList(),
            SplitBehavior.MergedWithPrevious => MergeWithPrevious(spans),
            SplitBehavior.MergedWithNext => MergeWithNext(spans),
            SplitBehavior.Contiguous => MergeContiguous(spans),
            _ => throw new ArgumentOutOfRangeException(nameof(behavior)),
        };
        foreach (var (start, end) in kept)
            if (end > start)
                output.Add(new PreToken(text[start..end], piece.StartsInput && start == 0));
    }

    private static List<(int, int)> MergeWithPrevious(List<(int Start, int End, bool IsDelimiter)> spans)
    {
        var result = new List<(int Start, int End)>();
        var previousWasDelimiter = false;
        foreach (var span in spans)
        {
            if (span.IsDelimiter && !previousWasDelimiter && result.Count > 0)
                result[^1] = (result[^1].Start, span.End);
            else
                result.Add((span.Start, span.End));
            previousWasDelimiter = span.IsDelimiter;
        }
        return result;
    }

    private static List<(int, int)> MergeWithNext(List<(int Start, int End, bool IsDelimiter)> spans)
    {
        var reversed = new List<(int Start, int End)>();
        var previousWasDelimiter = false;
        for (var i = spans.Count - 1; i >= 0; i--)
        {
            var span = spans[i];
            if (span.IsDelimiter && !previousWasDelimiter && reversed.Count > 0)
                reversed[^1] = (span.Start, reversed[^1].End);
            else
                reversed.Add((span.Start, span.End));
            previousWasDelimiter = span.IsDelimiter;
        }
        reversed.Reverse();
        return reversed;
    }

    private static List<(int, int)> MergeContiguous(List<(int Start, int End, bool IsDelimiter)> spans)
    {
        var result = new List<(int Start, int End)>();
        var previousWasDelimiter = false;
        foreach (var span in spans)
        {
            if (span.IsDelimiter == previousWasDelimiter && result.Count > 0)
                result[^1] = (result[^1].Start, span.End);
            else
                result.Add((span.Start, span.End));
            previousWasDelimiter = span.IsDelimiter;
        }
        return result;
    }
}
