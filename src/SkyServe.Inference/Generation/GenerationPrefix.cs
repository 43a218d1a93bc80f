using SkyServe.Inference.Tokenization;

namespace SkyServe.Inference.Generation;

/// <summary>
/// What a generation interrupted elsewhere had produced, to continue it token for token: the exact ids it sampled
/// (re-tokenizing its text could give other ids, and greedy decoding would then diverge), and how much of their text
/// the client already has. The ids are decoded once here, through the same stream decoder the batcher uses, so that a
/// character whose bytes were cut between ids is completed exactly once by the continuation.
/// </summary>
public sealed class GenerationPrefix
{
    private GenerationPrefix(IReadOnlyList<int> tokenIds, TokenStreamDecoder decoder, string text, int delivered)
    {
        TokenIds = tokenIds;
        Decoder = decoder;
        Text = text;
        Delivered = delivered;
    }

    public IReadOnlyList<int> TokenIds { get; }
    /// <summary>The decoder after the ids: it holds back the bytes of a character not yet complete.</summary>
    internal TokenStreamDecoder Decoder { get; }
    /// <summary>The complete text of the ids.</summary>
    internal string Text { get; }
    /// <summary>How many characters of <see cref="Text"/> the client already has.</summary>
    internal int Delivered { get; }

    /// <param name="vocabularySize">The model's: ids it can sample (the tokenizer may know fewer).</param>
    /// <exception cref="ArgumentException">An id is out of range, or the ids' text does not begin with <paramref name="delivered"/>.</exception>
    public static GenerationPrefix Create(Tokenizer tokenizer, int vocabularySize, IReadOnlyList<int> tokenIds, string delivered)
    {
        var decoder = new TokenStreamDecoder(tokenizer, skipSpecialTokens: true);
        var text = new System.Text.StringBuilder();
        foreach (var id in tokenIds)
        {
            if (id < 0 || id >= vocabularySize)
                throw new ArgumentException($"token id {id} is not in this model's vocabulary", nameof(tokenIds));
            text.Append(decoder.Append(id));
        }
        var decoded = text.ToString();
        if (!decoded.StartsWith(delivered, StringComparison.Ordinal))
            throw new ArgumentException("the text already delivered is not the text of the token ids", nameof(delivered));
        return new GenerationPrefix(tokenIds, decoder, decoded, delivered.Length);
    }
}
