using System.Threading.Channels;

namespace SkyServe.Inference.Generation;

/// <summary>A prompt waiting for, or taking part in, the running batch.</summary>
/// <param name="prefix">Continues a generation interrupted elsewhere: its ids follow the prompt, and max_tokens counts only new ones.</param>
/// <param name="everyToken">An event for every sampled token, even one whose text is still held back (carrying its id).</param>
public sealed class GenerationRequest(IReadOnlyList<int> prompt, SamplingParameters parameters, CancellationToken cancellation,
    GenerationPrefix? prefix = null, bool everyToken = false)
{
    internal Channel<GenerationEvent> Events { get; } = Channel.CreateUnbounded<GenerationEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    /// <summary>What the model reads before its first new token: the prompt, then the prefix's ids.</summary>
    public IReadOnlyList<int> Prompt { get; } = prefix is null ? prompt : [.. prompt, .. prefix.TokenIds];
    /// <summary>The prompt's own length (usage counts the prefix's ids as completion tokens).</summary>
    public int PromptTokens { get; } = prompt.Count;
    public GenerationPrefix? Prefix { get; } = prefix;
    public bool EveryToken { get; } = everyToken;
    public SamplingParameters Parameters { get; } = parameters;
    public CancellationToken Cancellation { get; } = cancellation;

    /// <summary>Stopwatch ticks at submission, for latency metrics (monotonic).</summary>
    public long SubmittedTimestamp { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>Stopwatch ticks when the first token was sampled; null while the prompt is being prefilled.</summary>
    public long? FirstTokenTimestamp { get; internal set; }

    /// <summary>The request's events: text deltas, then one final event with its finish reason.</summary>
    public ChannelReader<GenerationEvent> Output => Events.Reader;
}
