using System.Diagnostics;
using SkyServe.Inference.Generation;
using SkyServe.ReplicaAgent.Health;

namespace SkyServe.ReplicaAgent.Endpoints.OpenAi;

/// <summary>
/// Whether a streamed generation will finish before the machine is taken: once an interruption notice is in, a
/// generation whose remaining tokens (at most max_tokens less those produced) times its own measured time per output
/// token run past the notice's deadline, less <see cref="Margin"/> for the move itself, should go now, while its
/// replica still answers; the load balancer continues it elsewhere. One per generation: it times its own tokens.
/// </summary>
internal sealed class DeadlineCheck(AgentState state, TimeProvider time, GenerationRequest generation)
{
    /// <summary>Left for the load balancer to start the continuation on another replica before the machine goes.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromSeconds(2);

    private readonly int tokenLimit = (generation.Prefix?.TokenIds.Count ?? 0) + generation.Parameters.MaxTokens;
    private long firstTimestamp;
    private int firstTokens = -1;

    /// <summary>Why the generation should move after this event, or null while it will finish in time (or no notice came).</summary>
    public string? AfterEvent(GenerationEvent e)
    {
        if (firstTokens < 0)
        {
            firstTimestamp = Stopwatch.GetTimestamp();
            firstTokens = e.CompletionTokens;
        }
        if (e.FinishReason is not null || state.Interruption is not { } notice)
            return null;
        var left = notice.Time - time.GetUtcNow() - Margin;
        var remaining = tokenLimit - e.CompletionTokens;
        var timed = e.CompletionTokens - firstTokens;
        if (left <= TimeSpan.Zero)
            return $"the interruption at {notice.Time:O} is too close to finish here";
        if (timed < 1)
            return null; // its pace is known from the next token on
        var perToken = Stopwatch.GetElapsedTime(firstTimestamp) / timed;
        return perToken * remaining > left
            ? $"{remaining} tokens at {perToken.TotalMilliseconds:0.#} ms each would not finish before the interruption at {notice.Time:O}"
            : null;
    }
}
