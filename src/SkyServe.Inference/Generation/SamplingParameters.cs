namespace SkyServe.Inference.Generation;

/// <summary>How one request generates, with OpenAI's names and defaults.</summary>
/// <param name="Temperature">0 is greedy; OpenAI's default is 1.</param>
/// <param name="Seed">The same seed, prompt and parameters give the same tokens.</param>
/// <param name="IgnoreEos">vLLM's extension: keep going past the end-of-sequence token (benchmarks, tests).</param>
public sealed record SamplingParameters(
    int MaxTokens = 16,
    double Temperature = 1.0,
    double TopP = 1.0,
    int? Seed = null,
    IReadOnlyList<string>? Stop = null,
    bool IgnoreEos = false)
{
    public bool IsGreedy => Temperature <= 0 || TopP <= 0;
}
