namespace SkyServe.Inference.Tokenization;

/// <summary>tokenizer.json's Sequence post-processor (Llama 3: ByteLevel, then TemplateProcessing).</summary>
internal sealed class PostProcessorSequence(IReadOnlyList<IPostProcessor> steps) : IPostProcessor
{
    public List<int> AddSpecialTokens(List<int> ids)
    {
        foreach (var step in steps)
            ids = step.AddSpecialTokens(ids);
        return ids;
    }
}
