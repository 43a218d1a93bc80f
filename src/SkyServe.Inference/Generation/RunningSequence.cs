using SkyServe.Inference.Model;
using SkyServe.Inference.Tokenization;

namespace SkyServe.Inference.Generation;

/// <summary>A request inside the running batch: its KV cache, how far its prompt is prefilled, what it generated.</summary>
internal sealed class RunningSequence(GenerationRequest request, KvCache cache, Tokenizer tokenizer) : IDisposable
{
    public GenerationRequest Request { get; } = request;
    public KvCache Cache { get; } = cache;
    public int Prefilled { get; set; }
    /// <summary>Every completion token, a resumed prefix's included.</summary>
    public List<int> Generated { get; } = [.. request.Prefix?.TokenIds ?? []];
    public TokenStreamDecoder Decoder { get; } = request.Prefix?.Decoder ?? new(tokenizer, skipSpecialTokens: true);
    public StopSequences Stops { get; } = new(request.Parameters.Stop);
    public Random Random { get; } = NewRandom(request);
    /// <summary>All decoded text so far, and how much of it the client already has.</summary>
    public string Text { get; set; } = request.Prefix?.Text ?? "";
    public int Emitted { get; set; } = request.Prefix?.Delivered ?? 0;
    /// <summary>Tokens this request may still add: max_tokens counts from the resumed prefix on.</summary>
    public int TokenLimit { get; } = (request.Prefix?.TokenIds.Count ?? 0) + request.Parameters.MaxTokens;
    /// <summary>How many of <see cref="Generated"/> the events reported.</summary>
    public int Reported { get; set; } = request.Prefix?.TokenIds.Count ?? 0;

    public bool IsPrefilling => Prefilled < Request.Prompt.Count;

    public void Dispose() => Cache.Dispose();

    /// <summary>
    /// A seeded generator gives one number per sampled token; a resumed one skips as many as the prefix has tokens, so
    /// that its draws are those the uninterrupted run would have made next.
    /// </summary>
    private static Random NewRandom(GenerationRequest request)
    {
        if (request.Parameters.Seed is not { } seed)
            return new Random();
        var random = new Random(seed);
        if (request.Prefix is { } prefix && !request.Parameters.IsGreedy)
            for (var i = 0; i < prefix.TokenIds.Count; i++)
                random.NextDouble();
        return random;
    }
}
