namespace SkyServe.Inference.Tokenization;

/// <summary>
/// tokenizer.json's ByteLevel pre-tokenizer: optionally a leading space, optionally GPT-2's split regex,
/// then every piece spelled in the byte-level alphabet.
/// </summary>
internal sealed class ByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex) : IPreTokenizer
{
    private static readonly CodePointRegex gpt2Split =
        new(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+");

    public void Split(PreToken piece, List<PreToken> output)
    {
        var text = addPrefixSpace && !piece.Text.StartsWith(' ') ? " " + piece.Text : piece.Text;
        var prefixed = piece with { Text = text };
        if (!useRegex)
        {
            output.Add(prefixed with { Text = ByteLevelAlphabet.Encode(text) });
            return;
        }
        var words = new List<PreToken>();
        DelimiterSplitter.Split(prefixed, gpt2Split.Matches(text), SplitBehavior.Isolated, invert: false, words);
        foreach (var word in words)
            output.Add(word with { Text = ByteLevelAlphabet.Encode(word.Text) });
    }
}
