namespace SkyServe.Inference.Tokenization;

/// <summary>A decoder of tokenizer.json: turns token strings back into text pieces, which are joined at the end.</summary>
internal interface ITokenDecoder
{
    List<string> DecodeChain(List<string> tokens);
}
