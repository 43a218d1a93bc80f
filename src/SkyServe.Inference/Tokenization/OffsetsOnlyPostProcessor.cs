namespace SkyServe.Inference.Tokenization;

/// <summary>tokenizer.json's ByteLevel post-processor, which only trims offsets; ids pass unchanged.</summary>
internal sealed class OffsetsOnlyPostProcessor : IPostProcessor
{
    public List<int> AddSpecialTokens(List<int> ids) => ids;
}
