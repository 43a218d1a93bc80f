namespace SkyServe.Inference.Model;

/// <summary>
/// One sequence's share of a forward step: the new tokens to append to its cache (the whole prompt or a
/// chunk of it when prefilling, one token when decoding). ReturnAllLogits asks for the logits of every new
/// position rather than only the last.
/// </summary>
public sealed record SequenceStep(KvCache Cache, IReadOnlyList<int> Tokens, bool ReturnAllLogits = false);
