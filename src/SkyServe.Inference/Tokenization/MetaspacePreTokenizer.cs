namespace SkyServe.Inference.Tokenization;

/// <summary>
/// tokenizer.json's Metaspace pre-tokenizer (SentencePiece style): spaces become the replacement
/// character (▁), which is prepended per the scheme, and words start at each replacement.
/// </summary>
internal sealed class MetaspacePreTokenizer(char replacement, MetaspacePrependScheme prependScheme, bool split) : IPreTokenizer
{
    public void Split(PreToken piece, List<PreToken> output)
    {
        var text = piece.Text.Replace(' ', replacement);
        var prepend = prependScheme switch
        {
            MetaspacePrependScheme.Always => true,
            MetaspacePrependScheme.First => piece.StartsInput,
            _ => false,
        };
        if (prepend && !text.StartsWith(replacement))
            text = replacement + text;
        var rewritten = piece with { Text = text };
        if (!split)
        {
            output.Add(rewritten);
            return;
        }
        var delimiters = new List<Range>();
        for (var i = text.IndexOf(replacement); i >= 0; i = text.IndexOf(replacement, i + 1))
            delimiters.Add(new Range(i, i + 1));
        DelimiterSplitter.Split(rewritten, delimiters, SplitBehavior.MergedWithNext, invert: false, output);
    }
}
