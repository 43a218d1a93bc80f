namespace SkyServe.Inference.Generation;

/// <summary>What a running generation reports: new text as it becomes final, then once how it ended.</summary>
/// <param name="Text">Text to append (possibly empty).</param>
/// <param name="FinishReason">Set on the last event only.</param>
public sealed record GenerationEvent(string Text, string? FinishReason, int PromptTokens, int CompletionTokens, IReadOnlyList<int> TokenIds);
