namespace SkyServe.Inference.Tokenization;

/// <summary>One merge rule: its priority (lower merges first) and the token the pair becomes.</summary>
internal readonly record struct BpeMerge(int Rank, int MergedId);
