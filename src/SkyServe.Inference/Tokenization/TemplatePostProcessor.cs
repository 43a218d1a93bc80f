namespace SkyServe.Inference.Tokenization;

/// <summary>
/// tokenizer.json's TemplateProcessing for a single text: the template's special tokens (e.g. BOS)
/// around the text's ids. A null entry in the template stands for the text.
/// </summary>
internal sealed class TemplatePostProcessor(IReadOnlyList<int[]?> template) : IPostProcessor
{
    public List<int> AddSpecialTokens(List<int> ids)
    {
        var result = new List<int>(ids.Count + template.Count);
        foreach (var item in template)
        {
            if (item is null)
                result.AddRange(ids);
            else
                result.AddRange(item);
        }
        return result;
    }
}
