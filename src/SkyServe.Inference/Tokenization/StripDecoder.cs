namespace SkyServe.Inference.Tokenization;

/// <summary>tokenizer.json's Strip decoder: removes up to <c>start</c> leading and <c>stop</c> trailing copies of a character from each piece.</summary>
internal sealed class StripDecoder(char content, int start, int stop) : ITokenDecoder
{
    public List<string> DecodeChain(List<string> tokens) => tokens.Select(Strip).ToList();

    private string Strip(string token)
    {
        var from = 0;
        while (from < start && from < token.Length && token[from] == content)
            from++;
        var to = token.Length;
        while (token.Length - to < stop && to > from && token[to - 1] == content)
            to--;
        return token[from..to];
    }
}
