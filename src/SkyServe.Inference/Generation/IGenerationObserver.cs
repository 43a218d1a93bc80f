namespace SkyServe.Inference.Generation;

/// <summary>
/// What the batcher tells metrics about its work, from its loop thread: keep it quick and never throw.
/// Timestamps are <see cref="System.Diagnostics.Stopwatch"/> ticks.
/// </summary>
public interface IGenerationObserver
{
    /// <summary>The request's first token was sampled (prefill done).</summary>
    void FirstToken(GenerationRequest request, long timestamp);

    /// <summary>The request left the batch: stop, length, or abort.</summary>
    void Finished(GenerationRequest request, int promptTokens, int completionTokens, string finishReason, long timestamp);

    /// <summary>One model step over the batch.</summary>
    void Step(StepStatistics step);
}

/// <param name="Sequences">Sequences in the step.</param>
/// <param name="NewTokens">Tokens processed: one per decoding sequence plus the prompt chunks.</param>
/// <param name="ContextTokens">KV positions the step's attention reads: each sequence's cached length plus its new tokens.</param>
/// <param name="DecodeOnly">Every sequence decoded one token (no prompt chunk in the step).</param>
/// <param name="Elapsed">Wall time of the model's forward pass.</param>
public readonly record struct StepStatistics(int Sequences, int NewTokens, long ContextTokens, bool DecodeOnly, TimeSpan Elapsed);
