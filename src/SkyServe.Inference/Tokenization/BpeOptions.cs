namespace SkyServe.Inference.Tokenization;

/// <summary>The settings of tokenizer.json's BPE model besides vocabulary and merges.</summary>
internal sealed record BpeOptions(
    string? UnknownToken = null,
    bool FuseUnknown = false,
    bool ByteFallback = false,
    bool IgnoreMerges = false,
    string? ContinuingSubwordPrefix = null,
    string? EndOfWordSuffix = null);
