namespace SkyServe.Inference.Tokenization;

/// <summary>What a split does with the delimiters it finds (tokenizers' SplitDelimiterBehavior).</summary>
internal enum SplitBehavior
{
    Removed,
    Isolated,
    MergedWithPrevious,
    MergedWithNext,
    Contiguous,
}
