namespace SkyServe.Inference.Tokenization;

/// <summary>
/// tokenizer.json's Metaspace decoder: the replacement character becomes a space, except in the first
/// token when a prefix was prepended, where Hugging Face drops it.
/// </summary>
internal sealed class MetaspaceDecoder(char replacement, bool prefixWasPrepended) : ITokenDecoder
{
    public List<string> DecodeChain(List<string> tokens)
    {
        var result = new List<string>(tokens.Count);
        for (var i = 0; i < tokens.Count; i++)
        {
            var dropInThisToken = i == 0 && prefixWasPrepended;
            result.Add(dropInThisToken
                ? tokens[i].Replace(replacement.ToString(), "", StringComparison.Ordinal)
                : tokens[i].Replace(replacement, ' '));
        }
        return result;
    }
}
