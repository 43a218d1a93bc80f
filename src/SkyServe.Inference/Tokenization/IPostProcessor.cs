namespace SkyServe.Inference.Tokenization;

/// <summary>A post_processor of tokenizer.json: adds the special tokens a model expects around an encoded text.</summary>
internal interface IPostProcessor
{
    List<int> AddSpecialTokens(List<int> ids);
}
