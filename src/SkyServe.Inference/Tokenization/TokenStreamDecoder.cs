namespace SkyServe.Inference.Tokenization;

/// <summary>
/// Decodes generated ids one at a time for streaming. Each step returns only text that is complete:
/// a character whose UTF-8 bytes span several tokens is held back until its last byte arrives. The
/// pieces joined equal <see cref="Tokenizer.Decode"/> of all ids (after <see cref="Flush"/>).
/// Not thread-safe: one per generated sequence.
/// </summary>
/// <remarks>
/// Hugging Face's DecodeStream algorithm: decode a short window of recent ids and emit what extends the
/// window's previously decoded prefix. Keeping the already-emitted ids in the window lets decoders
/// that treat the first token specially (Strip, Metaspace) agree with a full decode.
/// </remarks>
public sealed class TokenStreamDecoder(Tokenizer tokenizer, bool skipSpecialTokens = false)
{
    private const char ReplacementCharacter = '\uFFFD';

    private readonly List<int> window = [];
    private string prefix = string.Empty;
    private int prefixLength;

    /// <summary>Adds the next id; returns the text it completes, possibly empty.</summary>
    public string Append(int id)
    {
        if (prefix.Length == 0 && window.Count > 0)
        {
            var decodedSoFar = tokenizer.Decode(window, skipSpecialTokens);
            if (!decodedSoFar.EndsWith(ReplacementCharacter))
            {
                prefix = decodedSoFar;
                prefixLength = window.Count;
            }
        }

        window.Add(id);
        var text = tokenizer.Decode(window, skipSpecialTokens);
        // A trailing U+FFFD means the last character's bytes are still incomplete.
        if (text.Length <= prefix.Length || text.EndsWith(ReplacementCharacter))
            return string.Empty;

        var completed = TextAfterPrefix(text);
        window.RemoveRange(0, prefixLength);
        prefix = tokenizer.Decode(window, skipSpecialTokens);
        prefixLength = window.Count;
        return completed;
    }

    /// <summary>At the end of generation: whatever is still held back, with U+FFFD for bytes that never completed.</summary>
    public string Flush()
    {
        var text = tokenizer.Decode(window, skipSpecialTokens);
        var rest = TextAfterPrefix(text);
        window.Clear();
        prefix = string.Empty;
        prefixLength = 0;
        return rest;
    }

    /// <summary>
    /// The window's new text. Hugging Face raises if the window no longer starts with its prefix; a
    /// stream is better served by whatever differs, so that case yields the text past the common part.
    /// </summary>
    private string TextAfterPrefix(string text) =>
        text.StartsWith(prefix, StringComparison.Ordinal) ? text[prefix.Length..] : text[text.AsSpan().CommonPrefixLength(prefix)..];
}
