namespace SkyServe.Inference.Tokenization;

/// <summary>A pre_tokenizer of tokenizer.json: splits (and may rewrite) text into the words BPE runs on.</summary>
internal interface IPreTokenizer
{
    /// <summary>Appends the non-empty pieces of <paramref name="piece"/> to <paramref name="output"/>.</summary>
    void Split(PreToken piece, List<PreToken> output);
}
