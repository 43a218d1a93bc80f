namespace SkyServe.Inference.Tokenization;

/// <summary>tokenizer.json's Fuse decoder: all pieces become one.</summary>
internal sealed class FuseDecoder : ITokenDecoder
{
    public List<string> DecodeChain(List<string> tokens) => [string.Concat(tokens)];
}
