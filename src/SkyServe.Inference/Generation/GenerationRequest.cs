using System.Threading.Channels;

namespace SkyServe.Inference.Generation;

/// <summary>A prompt waiting for, or taking part in, the running batch.</summary>
public sealed class GenerationRequest(IReadOnlyList<int> prompt, SamplingParameters parameters, CancellationToken cancellation)
{
    internal Channel<GenerationEvent> Events { get; } = Channel.CreateUnbounded<GenerationEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    public IReadOnlyList<int> Prompt { get; } = prompt;
    public SamplingParameters Parameters { get; } = parameters;
    public CancellationToken Cancellation { get; } = cancellation;

    /// <summary>Stopwatch ticks at submission, for latency metrics (monotonic).</summary>
    public long SubmittedTimestamp { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>Stopwatch ticks when the first token was sampled; null while the prompt is being prefilled.</summary>
    public long? FirstTokenTimestamp { get; internal set; }

    /// <summary>The request's events: text deltas, then one final event with its finish reason.</summary>
    public ChannelReader<GenerationEvent> Output => Events.Reader;
}
