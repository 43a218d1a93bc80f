using SkyServe.Inference.Model;
using SkyServe.Inference.Tokenization;

namespace SkyServe.Inference.Generation;

/// <summary>A request inside the running batch: its KV cache, how far its prompt is prefilled, what it generated.</summary>
internal sealed class RunningSequence(GenerationRequest request, KvCache cache, Tokenizer tokenizer) : IDisposable
{
    public GenerationRequest Request { get; } = request;
    public KvCache Cache { get; } = cache;
    public int Prefilled { get; set; }
    public List<int> Generated { get; } = [];
    public TokenStreamDecoder Decoder { get; } = new(tokenizer, skipSpecialTokens: true);
    public StopSequences Stops { get; } = new(request.Parameters.Stop);
    public Random Random { get; } = request.Parameters.Seed is { } seed ? new Random(seed) : new Random();
    /// <summary>All decoded text so far, and how much of it the client already has.</summary>
    public string Text { get; set; } = "";
    public int Emitted { get; set; }

    public bool IsPrefilling => Prefilled < Request.Prompt.Count;

    public void Dispose() => Cache.Dispose();
}
